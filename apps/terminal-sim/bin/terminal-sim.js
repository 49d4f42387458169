#!/usr/bin/env node
// `npx terminal-sim ...` from the repository: runs the POS terminal
// simulator from its TypeScript sources through swc (no build step).
const path = require('node:path');
process.env.SWC_NODE_PROJECT ??= path.join(__dirname, '..', '..', '..', 'tsconfig.base.json');
require('@swc-node/register');
require('../src/main.ts');
