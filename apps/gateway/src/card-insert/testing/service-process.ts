import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..', '..', '..', '..');

/**
 * A Tillgate service run as its own process from its TypeScript sources,
 * exactly as `npm start` runs the gateway, with every byte it writes to
 * stdout and stderr kept (the leak test scans them).
 */
export class ServiceProcess {
  private output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    this.exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  /** Starts `entry` (a .ts file under the repository) with `env` laid over this process's. */
  static start(name: string, entry: string, env: Record<string, string>): ServiceProcess {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', entry], {
      cwd: REPO_ROOT,
      env: { ...process.env, SWC_NODE_PROJECT: 'tsconfig.base.json', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ServiceProcess(name, child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Everything the process wrote so far, stdout and stderr interleaved. */
  text(): string {
    return this.output;
  }

  /**
   * Waits until the output matches `pattern` (the start-up banner) and
   * returns its capture groups; fails with the output so far.
   */
  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.output);
      if (match) return match.slice(1).map((group) => group ?? '');
      if (!this.running)
        throw new Error(`${this.name} exited before ${pattern}:\n${this.output.slice(-4000)}`);
      if (Date.now() > deadline)
        throw new Error(
          `${this.name}: no ${pattern} in ${timeoutMs} ms:\n${this.output.slice(-4000)}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** kill -9: no shutdown hook runs, nothing is flushed. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM, the way an operator stops it; SIGKILL if it does not exit in time. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}
