module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'card-insert',
  rootDir: __dirname,
};
