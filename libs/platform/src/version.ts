import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The Tillgate release, from the workspace's package.json. */
export function tillgateVersion(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
  return String(pkg.version);
}
