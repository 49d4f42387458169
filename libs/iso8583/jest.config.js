module.exports = { ...require('../../jest.preset.js'), displayName: 'iso8583', rootDir: __dirname };
