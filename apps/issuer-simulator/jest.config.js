module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'issuer-simulator-app',
  rootDir: __dirname,
};
