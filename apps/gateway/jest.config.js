module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'gateway-app',
  rootDir: __dirname,
};
