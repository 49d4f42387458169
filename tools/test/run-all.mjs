#!/usr/bin/env node
// `npm test`: starts the local infrastructure (a real Kafka broker and
// Postgres, see tools/infra), runs every project's tests in one jest run,
// stops what it started, and ends with jest's summary plus one plain line
// `N passed, N failed`. Extra arguments go to jest (e.g. a path filter).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { down, status, up } from '../infra/infra.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const reportFile = join(root, '.reports', 'jest.json');

let stopping = false;
// What was already running before this run (a developer's `npm run infra:up`)
// is left running; what this run started is stopped.
let keepRunning = [];
async function stopInfra() {
  if (stopping) return;
  stopping = true;
  const services = ['kafka', 'postgres'].filter((s) => !keepRunning.includes(s));
  if (keepRunning.length)
    console.log(`test: leaving ${keepRunning.join(' and ')} running (it was up before)`);
  if (!services.length) return;
  try {
    await down({ services });
  } catch (err) {
    console.error(`test: could not stop local infrastructure: ${err.message}`);
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    console.error(`test: ${signal}, stopping local infrastructure`);
    stopInfra().finally(() => process.exit(130));
  });
}

async function main() {
  const before = await status();
  if (before.kafka.state === 'running') keepRunning.push('kafka');
  if (before.postgres.state === 'running') keepRunning.push('postgres');
  console.log('test: starting local infrastructure (Kafka, Postgres)...');
  const env = await up();
  console.log(`test: KAFKA_BROKERS=${env.KAFKA_BROKERS}`);

  mkdirSync(join(root, '.reports'), { recursive: true });
  rmSync(reportFile, { force: true });
  const jestArgs = [
    join(root, 'node_modules/jest/bin/jest.js'),
    '--json',
    `--outputFile=${reportFile}`,
    // Two workers on the 2-core machines we target; a leaked handle must not
    // hold CI until its deadline (jest still names the leak in its output).
    '--maxWorkers=2',
    '--forceExit',
    ...(process.env.CI ? ['--ci'] : []),
    ...process.argv.slice(2),
  ];
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, jestArgs, {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, ...env, NX_DAEMON: 'false' },
    });
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });

  await stopInfra();

  let summary;
  try {
    summary = JSON.parse(readFileSync(reportFile, 'utf8'));
  } catch {
    console.error('test: jest wrote no JSON summary');
    return code || 1;
  }
  console.log(`${summary.numPassedTests} passed, ${summary.numFailedTests} failed`);
  if (summary.numTotalTests === 0) {
    console.error('test: no test was executed');
    return 1;
  }
  return code;
}

main().then(
  (code) => process.exit(code),
  async (err) => {
    console.error(`test: ${err.message}`);
    await stopInfra();
    process.exit(1);
  },
);
