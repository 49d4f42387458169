import { parseArgs } from 'node:util';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const BENCHMARKS_FILE = resolve(__dirname, '..', '..', 'docs', 'benchmarks.md');

const INTRO = `# Benchmarks

Latest results of the benches in \`tools/bench\` (see its README for how to run them). Each bench
owns one section between \`<!-- bench:<name>:start -->\` and \`<!-- bench:<name>:end -->\` markers
and rewrites only that section; every figure is reported beside a raw baseline measured in the
same run, so the ratio means more than the absolute number.
`;

/**
 * Replaces the section of `name` in the benchmarks file (creating the file
 * with a short introduction, or appending the section, when absent). Other
 * benches' sections are left byte for byte as they were.
 */
export function writeSection(name: string, markdown: string, file: string = BENCHMARKS_FILE): void {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name))
    throw new Error(`bench section name '${name}' must be lower-case letters, digits and '-'`);
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : INTRO;
  // The blank line after the start marker is where prettier wants it, so `format:check` stays quiet.
  const section = `${start}\n\n${markdown.trim()}\n${end}`;
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  if (from < 0 !== to < 0 || to < from) {
    throw new Error(
      `${file}: the markers of section '${name}' are unbalanced; fix the file by hand`,
    );
  }
  const next =
    from < 0
      ? `${current.trimEnd()}\n\n${section}\n`
      : `${current.slice(0, from)}${section}${current.slice(to + end.length)}`;
  const temp = join(resolve(file, '..'), `.benchmarks.${process.pid}.tmp`);
  writeFileSync(temp, next);
  renameSync(temp, file);
}

/**
 * A GitHub-flavoured markdown table, padded the way prettier pads one (so
 * `format:check` passes on the written file); numeric-looking columns are
 * right-aligned.
 */
export function markdownTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const numeric = headers.map(
    (_, i) => rows.length > 0 && rows.every((r) => /^[0-9.,×x%-]+$/.test(r[i] ?? '')),
  );
  const widths = headers.map((h, i) =>
    Math.max(3, h.length, ...rows.map((r) => (r[i] ?? '').length)),
  );
  const cell = (text: string, i: number) =>
    numeric[i] ? text.padStart(widths[i]) : text.padEnd(widths[i]);
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (numeric[i] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

/** 12345.6 -> "12,346"; small values keep a few significant digits. */
export function formatRate(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}

export interface BenchOptions {
  quick: boolean;
  dryRun: boolean;
  seconds: number;
  rounds: number;
}

/**
 * The flags every bench takes: `--quick` (a noisy smoke run), `--seconds N`
 * (per measurement) and `--dry-run` (print instead of rewriting the docs).
 */
export function parseBenchOptions(
  argv: string[],
  defaults: { seconds: number; quickSeconds: number; rounds: number },
): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      seconds: { type: 'string' },
    },
  });
  const quick = values.quick === true;
  const seconds =
    values.seconds !== undefined
      ? Number(values.seconds)
      : quick
        ? defaults.quickSeconds
        : defaults.seconds;
  if (!(seconds > 0))
    throw new Error(`--seconds must be a positive number, got "${values.seconds}"`);
  return {
    quick,
    dryRun: values['dry-run'] === true,
    seconds,
    rounds: quick ? 1 : defaults.rounds,
  };
}
