// One jest run over every project: `npm test` uses it, so the suite ends with
// a single summary. Each project keeps its own jest.config.js for `nx test`.
const { readdirSync, existsSync } = require('node:fs');
const { join } = require('node:path');

const projects = ['apps', 'libs', 'tools']
  .flatMap((dir) => readdirSync(join(__dirname, dir)).map((name) => join(dir, name)))
  .filter((dir) => existsSync(join(__dirname, dir, 'jest.config.js')))
  .map((dir) => `<rootDir>/${dir}`);

module.exports = { projects };
