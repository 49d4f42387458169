module.exports = { ...require('../../jest.preset.js'), displayName: 'emv', rootDir: __dirname };
