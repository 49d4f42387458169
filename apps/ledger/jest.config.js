module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'ledger-app',
  rootDir: __dirname,
};
