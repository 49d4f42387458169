import { Command, Option } from 'commander';
import {
  FileKeyBlockRepository,
  InMemoryKsnCounterRepository,
  JsonLinesAuditSink,
  KEY_ALGORITHMS,
  KEY_KINDS,
  loadMasterKey,
  SoftwareKeyStore,
} from '@tillgate/key-store';
import type {
  KeyAlgorithmName,
  KeyComponent,
  KeyInfo,
  KeyKind,
  UnverifiedKeyInfo,
} from '@tillgate/key-store';
import { CliUsageError } from '../cli-error';
import type { CliIo } from '../cli-io';
import { cliAction, commandGroup, hexOption, printResult } from './command-support';

const DEFAULT_STORE = '.data/keys.json';

interface StoreOptions {
  store: string;
  audit?: string;
  json?: boolean;
}

/**
 * `tillgate keys ...`: administers a file-backed key store. The master key
 * comes from TILLGATE_MASTER_KEY (or TILLGATE_MASTER_KEY_FILE); every
 * operation is appended to the audit trail beside the store. Nothing here
 * prints key material.
 */
export function keysCommand(io: CliIo): Command {
  const keys = commandGroup(
    'keys',
    'administer the key store (master key from TILLGATE_MASTER_KEY)',
    io,
  );

  withStore(
    keys.command('import'),
    'form a key from 2 or 3 clear components, each with its KCV (split knowledge)',
  )
    .requiredOption('--id <id>', 'key id')
    .addOption(
      new Option('--usage <kind>', 'what the key is for').choices(KEY_KINDS).makeOptionMandatory(),
    )
    .addOption(
      new Option('--algorithm <name>', 'key algorithm')
        .choices(KEY_ALGORITHMS)
        .makeOptionMandatory(),
    )
    .requiredOption(
      '--component <hex:kcv>',
      'a component and its KCV; repeat 2 or 3 times',
      collect,
    )
    .requiredOption('--kcv <hex>', 'KCV of the combined key')
    .action(
      cliAction(
        async (
          opts: StoreOptions & {
            id: string;
            usage: KeyKind;
            algorithm: KeyAlgorithmName;
            component: string[];
            kcv: string;
          },
        ) => {
          await usingStore(io, opts, async (store) => {
            const info = await store.importKey({
              id: opts.id,
              kind: opts.usage,
              algorithm: opts.algorithm,
              components: components(opts.component),
              kcv: hexOption(opts.kcv, '--kcv'),
            });
            printResult(io, opts.json, row(info));
          });
        },
      ),
    );

  withStore(keys.command('generate'), 'generate a random key')
    .requiredOption('--id <id>', 'key id')
    .addOption(
      new Option('--usage <kind>', 'what the key is for').choices(KEY_KINDS).makeOptionMandatory(),
    )
    .addOption(
      new Option('--algorithm <name>', 'key algorithm')
        .choices(KEY_ALGORITHMS)
        .makeOptionMandatory(),
    )
    .option('--length <bytes>', 'key length (default: 16 for TDES, 32 for AES and HMAC)')
    .action(
      cliAction(
        async (
          opts: StoreOptions & {
            id: string;
            usage: KeyKind;
            algorithm: KeyAlgorithmName;
            length?: string;
          },
        ) => {
          await usingStore(io, opts, async (store) => {
            const info = await store.generateKey({
              id: opts.id,
              kind: opts.usage,
              algorithm: opts.algorithm,
              length: opts.length === undefined ? undefined : integer(opts.length, '--length'),
            });
            printResult(io, opts.json, row(info));
          });
        },
      ),
    );

  withStore(
    keys.command('list'),
    'list every key version: id, version, usage, algorithm, KCV, status',
  ).action(
    cliAction(async (opts: StoreOptions) => {
      await usingStore(io, opts, async (store) => {
        const rows = (await store.listKeys()).map(row);
        if (opts.json) {
          io.stdout(`${JSON.stringify(rows)}\n`);
          return;
        }
        printTable(io, rows);
      });
    }),
  );

  withStore(
    keys.command('rotate'),
    'add a new version (generated, or from components); the previous one is superseded',
  )
    .requiredOption('--id <id>', 'key id')
    .option(
      '--component <hex:kcv>',
      'a component and its KCV; repeat 2 or 3 times (without it: a generated key)',
      collect,
    )
    .option('--kcv <hex>', 'KCV of the combined key, with --component')
    .action(
      cliAction(async (opts: StoreOptions & { id: string; component?: string[]; kcv?: string }) => {
        if ((opts.component === undefined) !== (opts.kcv === undefined)) {
          throw new CliUsageError('--component and --kcv go together');
        }
        await usingStore(io, opts, async (store) => {
          const info = await store.rotateKey({
            id: opts.id,
            ...(opts.component
              ? { components: components(opts.component), kcv: hexOption(opts.kcv, '--kcv') }
              : {}),
          });
          printResult(io, opts.json, row(info));
        });
      }),
    );

  withStore(keys.command('retire'), 'retire a key version: it can no longer be used')
    .requiredOption('--id <id>', 'key id')
    .requiredOption('--version <n>', 'key version')
    .action(
      cliAction(async (opts: StoreOptions & { id: string; version: string }) => {
        await usingStore(io, opts, async (store) => {
          printResult(
            io,
            opts.json,
            row(
              await store.retireKey({ id: opts.id, version: integer(opts.version, '--version') }),
            ),
          );
        });
      }),
    );

  return keys;
}

function withStore(command: Command, description: string): Command {
  return command
    .description(description)
    .option('--store <path>', 'key store file', DEFAULT_STORE)
    .option(
      '--audit <path>',
      'audit trail, JSON lines (default: beside the store, <name>.audit.jsonl)',
    )
    .option('--json', 'print JSON');
}

/** Runs `work` on the key store, then closes its audit trail (the sink keeps the file open). */
async function usingStore(
  io: CliIo,
  opts: StoreOptions,
  work: (store: SoftwareKeyStore) => Promise<void>,
): Promise<void> {
  const masterKey = await loadMasterKey(io.env);
  const audit = new JsonLinesAuditSink(
    opts.audit ?? opts.store.replace(/(\.json)?$/, '.audit.jsonl'),
  );
  try {
    await work(
      new SoftwareKeyStore({
        masterKey,
        keyBlocks: new FileKeyBlockRepository(opts.store),
        ksnCounters: new InMemoryKsnCounterRepository(),
        audit,
      }),
    );
  } finally {
    await audit.close();
  }
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function components(values: readonly string[]): KeyComponent[] {
  if (values.length < 2 || values.length > 3)
    throw new CliUsageError(`--component must be given 2 or 3 times, got ${values.length}`);
  return values.map((value, i) => {
    const [hex, kcv, extra] = value.split(':');
    if (kcv === undefined || extra !== undefined)
      throw new CliUsageError(`--component ${i + 1} must be HEX:KCV`);
    return {
      value: hexOption(hex, `--component ${i + 1}`),
      kcv: hexOption(kcv, `--component ${i + 1} KCV`),
    };
  });
}

function integer(value: string, option: string): number {
  if (!/^[0-9]+$/.test(value)) throw new CliUsageError(`${option} must be a whole number`);
  return Number(value);
}

function row(info: KeyInfo | UnverifiedKeyInfo) {
  if (info.integrity === 'failed') {
    return {
      id: info.id,
      version: info.version,
      usage: '?',
      algorithm: '?',
      kcv: '?',
      status: info.status,
      integrity: `FAILED ${info.reason}`,
    };
  }
  return {
    id: info.id,
    version: info.version,
    usage: `${info.kind} (${info.keyBlock.keyUsage})`,
    algorithm: `${info.algorithm}-${info.length * 8}`,
    kcv: info.kcv,
    status: info.status,
    integrity: info.integrity,
  };
}

function printTable(io: CliIo, rows: readonly ReturnType<typeof row>[]): void {
  const header = {
    id: 'ID',
    version: 'VERSION',
    usage: 'USAGE',
    algorithm: 'ALGORITHM',
    kcv: 'KCV',
    status: 'STATUS',
    integrity: 'INTEGRITY',
  };
  const columns = Object.keys(header) as (keyof typeof header)[];
  const all = [
    header,
    ...rows.map((r) => Object.fromEntries(columns.map((c) => [c, String(r[c])])) as typeof header),
  ];
  const widths = columns.map((c) => Math.max(...all.map((r) => r[c].length)));
  for (const r of all)
    io.stdout(
      `${columns
        .map((c, i) => r[c].padEnd(widths[i]))
        .join('  ')
        .trimEnd()}\n`,
    );
  if (rows.length === 0) io.stdout('(no keys)\n');
}
