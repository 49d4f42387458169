module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'host-link',
  rootDir: __dirname,
};
