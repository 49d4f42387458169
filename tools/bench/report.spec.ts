import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { markdownTable, writeSection } from './report';

const aFile = () => join(mkdtempSync(join(tmpdir(), 'bench-')), 'benchmarks.md');

describe('writeSection', () => {
  it('creates the file with an introduction and the marked section', () => {
    const file = aFile();
    writeSection('crypto', '## Crypto\n\nfigures', file);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^# Benchmarks\n/);
    expect(text).toContain(
      '<!-- bench:crypto:start -->\n\n## Crypto\n\nfigures\n<!-- bench:crypto:end -->\n',
    );
  });

  it('rewrites only its own section, leaving the others byte for byte', () => {
    const file = aFile();
    writeSection('kafka', 'kafka v1', file);
    writeSection('crypto', 'crypto v1', file);
    writeFileSync(file, readFileSync(file, 'utf8').replace('kafka v1', 'kafka v1 (hand-edited)\n'));
    const before = readFileSync(file, 'utf8');
    writeSection('crypto', 'crypto v2', file);
    const after = readFileSync(file, 'utf8');
    expect(after).toBe(before.replace('crypto v1', 'crypto v2'));
  });

  it('refuses unbalanced markers rather than guessing', () => {
    const file = aFile();
    writeFileSync(file, '# Benchmarks\n<!-- bench:crypto:start -->\nhalf a section\n');
    expect(() => writeSection('crypto', 'x', file)).toThrow(/unbalanced/);
  });

  it('refuses a section name that would not make a marker', () => {
    expect(() => writeSection('Crypto Bench', 'x', aFile())).toThrow(/must be lower-case/);
  });
});

describe('markdownTable', () => {
  it('pads cells as prettier does and right-aligns numeric columns', () => {
    expect(
      markdownTable(
        ['case', 'ops/s'],
        [
          ['a', '1,234'],
          ['b', '5.6'],
        ],
      ),
    ).toBe(
      ['| case | ops/s |', '| ---- | ----: |', '| a    | 1,234 |', '| b    |   5.6 |'].join('\n'),
    );
  });
});
