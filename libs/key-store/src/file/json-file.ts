import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { KeyStoreError } from '../key-store-error';

export interface JsonFileOptions<T> {
  readonly path: string;
  /** Checks and converts the parsed JSON; throws a STORE_CORRUPT KeyStoreError when it is not what it should be. */
  readonly decode: (raw: unknown) => T;
  readonly encode: (value: T) => unknown;
  /** The value of a file that does not exist yet. */
  readonly empty: () => T;
  /** How long to wait for another process's lock before giving up (default 5 s). */
  readonly lockTimeoutMs?: number;
  /**
   * How long a read may serve the cached value without checking the file's
   * stamp (inode, size, mtime, ctime) again: the bound on how late a change
   * made by another process (the CLI rotating a key) is seen. Default
   * {@link DEFAULT_RECHECK_MS}; 0 checks on every read. Changes made through
   * this instance are seen at once.
   */
  readonly recheckMs?: number;
}

/** Default of JsonFileOptions.recheckMs. */
export const DEFAULT_RECHECK_MS = 1000;

interface Cached<T> {
  /** Undefined while the file does not exist. */
  readonly stamp: string | undefined;
  readonly value: T;
  /** performance.now() of the last stamp check. */
  readonly checkedAt: number;
}

/**
 * A small JSON document on disk, shared by the file-backed repositories.
 * Writes are atomic (temp file in the same directory, fsync, rename, fsync of
 * the directory), serialised within the process, and guarded across
 * processes by an exclusive `<path>.lock` file. Reads are cached: the file
 * is stat'ed again at most every `recheckMs` (and re-read only when its stamp
 * changed), and after every write through this instance. Files are created
 * 0600, directories 0700.
 */
export class JsonFile<T> {
  readonly path: string;
  readonly #recheckMs: number;
  #cache: Cached<T> | undefined;
  /** The stamp check in progress, shared by the reads that arrive meanwhile. */
  #refresh: Promise<T> | undefined;
  /** Counts this instance's writes, so a check that began before one does not cache what it read. */
  #generation = 0;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: JsonFileOptions<T>) {
    this.path = options.path;
    this.#recheckMs = options.recheckMs ?? DEFAULT_RECHECK_MS;
  }

  read(): Promise<T> {
    const cached = this.#cache;
    if (cached !== undefined && performance.now() - cached.checkedAt < this.#recheckMs)
      return Promise.resolve(cached.value);
    if (this.#refresh === undefined) {
      const refresh = this.refresh().finally(() => {
        if (this.#refresh === refresh) this.#refresh = undefined;
      });
      this.#refresh = refresh;
    }
    return this.#refresh;
  }

  private async refresh(): Promise<T> {
    const generation = this.#generation;
    const checkedAt = performance.now();
    const stamp = await this.stamp();
    const cached = this.#cache;
    const value =
      cached !== undefined && cached.stamp === stamp
        ? cached.value
        : stamp === undefined
          ? this.options.empty()
          : await this.load();
    if (generation === this.#generation) this.#cache = { stamp, value, checkedAt };
    return value;
  }

  /** Reads the current value under the lock, lets `change` compute the next one, and writes it. */
  update<R>(change: (current: T) => { next: T; result: R }): Promise<R> {
    const run = this.#queue.then(() => this.locked(change));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  private async locked<R>(change: (current: T) => { next: T; result: R }): Promise<R> {
    await this.mkdir();
    const release = await this.lock();
    try {
      const current = (await this.stamp()) === undefined ? this.options.empty() : await this.load();
      const { next, result } = change(current);
      await this.write(next);
      this.forget();
      return result;
    } catch (error) {
      this.forget();
      throw error;
    } finally {
      await release();
    }
  }

  /** After a write (or a failed one): the next read checks the file, and no check begun before it is kept. */
  private forget(): void {
    this.#generation++;
    this.#cache = undefined;
    this.#refresh = undefined;
  }

  private async stamp(): Promise<string | undefined> {
    try {
      const stat = await fs.stat(this.path);
      return `${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
    } catch (error) {
      if (errno(error) === 'ENOENT') return undefined;
      throw this.unavailable('read', error);
    }
  }

  private async load(): Promise<T> {
    let text: string;
    try {
      text = await fs.readFile(this.path, 'utf8');
    } catch (error) {
      throw this.unavailable('read', error);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new KeyStoreError('STORE_CORRUPT', `${this.path} is not valid JSON`, 'path');
    }
    return this.options.decode(raw);
  }

  private async write(value: T): Promise<void> {
    const dir = dirname(this.path);
    const temp = join(
      dir,
      `.${basename(this.path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
    );
    try {
      const file = await fs.open(temp, 'wx', 0o600);
      try {
        await file.writeFile(`${JSON.stringify(this.options.encode(value), null, 2)}\n`, 'utf8');
        await file.sync();
      } finally {
        await file.close();
      }
      await fs.rename(temp, this.path);
    } catch (error) {
      await fs.rm(temp, { force: true }).catch(() => undefined);
      throw this.unavailable('write', error);
    }
    // The rename is durable only once the directory entry is on disk.
    await fs
      .open(dir, 'r')
      .then(async (d) => {
        await d.sync().catch(() => undefined);
        await d.close();
      })
      .catch(() => undefined);
  }

  private async mkdir(): Promise<void> {
    try {
      await fs.mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    } catch (error) {
      throw this.unavailable('write', error);
    }
  }

  private async lock(): Promise<() => Promise<void>> {
    const lockPath = `${this.path}.lock`;
    const deadline = Date.now() + (this.options.lockTimeoutMs ?? 5000);
    for (;;) {
      try {
        const handle = await fs.open(lockPath, 'wx', 0o600);
        await handle.writeFile(String(process.pid));
        await handle.close();
        return () => fs.rm(lockPath, { force: true });
      } catch (error) {
        if (errno(error) !== 'EEXIST') throw this.unavailable('lock', error);
        if (Date.now() > deadline) {
          throw new KeyStoreError(
            'STORE_UNAVAILABLE',
            `${this.path} is locked by another process; if none is running, remove ${lockPath}`,
            'path',
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
  }

  private unavailable(action: string, error: unknown): KeyStoreError {
    return new KeyStoreError(
      'STORE_UNAVAILABLE',
      `cannot ${action} ${this.path} (${errno(error) ?? 'I/O error'})`,
      'path',
    );
  }
}

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
