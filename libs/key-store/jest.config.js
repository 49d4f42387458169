module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'key-store',
  rootDir: __dirname,
};
