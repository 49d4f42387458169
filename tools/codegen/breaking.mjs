#!/usr/bin/env node
// `npm run proto:breaking`: buf breaking against main. On a branch, the base
// is `main`; on main itself (CI's clean clone), the base is the previous
// commit, so a change that lands cannot break what landed before it.
// `BUF_BREAKING_AGAINST=<git ref>` overrides.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('../..', import.meta.url));
const git = (...args) =>
  spawnSync('git', args, { cwd: root, encoding: 'utf8' }).stdout?.trim() ?? '';

function baseRef() {
  if (process.env.BUF_BREAKING_AGAINST) return process.env.BUF_BREAKING_AGAINST;
  const head = git('rev-parse', 'HEAD');
  const main = git('rev-parse', '--verify', '--quiet', 'main');
  if (main && main !== head) return git('merge-base', 'HEAD', 'main') || main;
  return git('rev-parse', '--verify', '--quiet', 'HEAD~1');
}

const ref = baseRef();
if (!ref) {
  console.log('proto:breaking: no earlier commit to compare with; nothing to check');
  process.exit(0);
}
if (!git('ls-tree', '-d', '--name-only', ref, 'proto')) {
  console.log(`proto:breaking: ${ref.slice(0, 12)} has no proto/; nothing to check`);
  process.exit(0);
}
console.log(`proto:breaking: comparing proto/ with ${ref.slice(0, 12)}`);
execFileSync(join(root, 'node_modules/.bin/buf'), ['breaking', '--against', `.git#ref=${ref}`], {
  cwd: root,
  stdio: 'inherit',
});
console.log('proto:breaking: no breaking change');
