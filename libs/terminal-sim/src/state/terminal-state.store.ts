import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { EMPTY_STATE, type TerminalState } from './terminal-state';

/**
 * Where the terminal keeps its state. Reads and writes are synchronous on
 * purpose: a counter is saved before the request that uses it leaves, and
 * nothing can interleave between reading and saving it.
 */
export interface TerminalStateStore {
  read(): TerminalState;
  write(state: TerminalState): void;
}

export class TerminalStateError extends Error {
  override readonly name = 'TerminalStateError';
}

export class InMemoryTerminalStateStore implements TerminalStateStore {
  constructor(private state: TerminalState = EMPTY_STATE) {}
  read(): TerminalState {
    return this.state;
  }
  write(state: TerminalState): void {
    this.state = state;
  }
}

/** A JSON file, replaced atomically (write then rename) so a crash never leaves half a file. */
export class FileTerminalStateStore implements TerminalStateStore {
  constructor(readonly path: string) {}

  read(): TerminalState {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_STATE;
      throw new TerminalStateError(`${this.path}: cannot be read`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new TerminalStateError(`${this.path}: not JSON`);
    }
    if (
      typeof json !== 'object' ||
      json === null ||
      (json as { version?: unknown }).version !== 1 ||
      typeof (json as { terminals?: unknown }).terminals !== 'object' ||
      typeof (json as { cards?: unknown }).cards !== 'object'
    ) {
      throw new TerminalStateError(`${this.path}: not a terminal state file (version 1)`);
    }
    return json as TerminalState;
  }

  write(state: TerminalState): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.path);
  }
}
