module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'terminal-sim',
  rootDir: __dirname,
};
