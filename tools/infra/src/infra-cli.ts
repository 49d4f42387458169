// Test helpers: drive tools/infra/infra.mjs as a child process (jest runs
// CommonJS, and infra.mjs is an ES module, so the CLI is the clean seam).
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const INFRA = path.resolve(__dirname, '..', 'infra.mjs');

/** Env overrides for a call: a string sets, undefined unsets. */
export type EnvPatch = Record<string, string | undefined>;

export interface InfraRun {
  stdout: string;
  stderr: string;
  ms: number;
}

function childEnv(patch: EnvPatch): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export function runInfra(args: string[], patch: EnvPatch = {}): Promise<InfraRun> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [INFRA, ...args],
      { env: childEnv(patch), timeout: 280_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`infra.mjs ${args.join(' ')} failed: ${err.message}\n${stderr}`));
        else resolve({ stdout, stderr, ms: Date.now() - t0 });
      },
    );
  });
}

/** `infra.mjs <args> --json`, parsed. */
export async function infraJson<T = Record<string, string>>(
  args: string[],
  patch: EnvPatch = {},
): Promise<T & { ms: number }> {
  const r = await runInfra([...args, '--json'], patch);
  return { ...(JSON.parse(r.stdout) as T), ms: r.ms };
}

/** A private state dir (its own broker / throwaway server), readable by the postgres user. */
export function isolatedStateDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tillgate-infra-${label}-`));
  fs.chmodSync(dir, 0o755);
  return dir;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true;
  }
}

export async function waitUntil(cond: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
