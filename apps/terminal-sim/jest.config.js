module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'terminal-sim-app',
  rootDir: __dirname,
};
