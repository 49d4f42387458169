module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'card-insert-app',
  rootDir: __dirname,
};
