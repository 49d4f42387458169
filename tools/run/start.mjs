#!/usr/bin/env node
// `npm start`: runs apps/gateway from its TypeScript sources (swc, no build
// step) on the embedded default: SQLite under .data/, Kafka off unless
// KAFKA_BROKERS is set.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const child = spawn(
  process.execPath,
  ['-r', '@swc-node/register', 'apps/gateway/src/main.ts', ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, SWC_NODE_PROJECT: 'tsconfig.base.json' },
  },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
