module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'issuer-simulator',
  rootDir: __dirname,
};
