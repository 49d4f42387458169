import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

// Proves the layer rules of ARCHITECTURE.md are enforced, not just configured:
// each fixture breaks one rule and lint must report it as an error.
const root = join(__dirname, '..', '..', '..');

interface LintMessage {
  ruleId: string | null;
  severity: number;
  message: string;
}

/** Runs the real eslint CLI with the workspace config, as `npm run lint` does. */
function lint(relativePath: string, extraArgs: string[] = []): LintMessage[] {
  const run = spawnSync(
    join(root, 'node_modules/.bin/eslint'),
    ['--format', 'json', ...extraArgs, relativePath],
    { cwd: root, encoding: 'utf8' },
  );
  const [result] = JSON.parse(run.stdout) as { messages: LintMessage[] }[];
  return result.messages;
}

async function lintFixture(relativePath: string) {
  return lint(relativePath, ['--no-ignore']).filter(
    (m) => m.ruleId === '@nx/enforce-module-boundaries',
  );
}

describe('@nx/enforce-module-boundaries', () => {
  beforeAll(() => {
    // The rule reads the cached project graph; without one it silently skips.
    execFileSync(join(root, 'node_modules/.bin/nx'), ['show', 'projects'], {
      cwd: root,
      env: { ...process.env, NX_DAEMON: 'false' },
      stdio: 'ignore',
    });
  }, 60_000);

  it('fails a domain lib that imports NestJS', async () => {
    const errors = await lintFixture('libs/emv/src/__lint-fixtures__/domain-imports-nestjs.ts');
    expect(errors).toEqual([
      expect.objectContaining({
        severity: 2,
        message: expect.stringMatching(/type:domain.*not allowed to import "@nestjs\/common"/),
      }),
    ]);
  }, 60_000);

  it('fails a lib that imports an app', async () => {
    const errors = await lintFixture('libs/persistence/src/__lint-fixtures__/lib-imports-app.ts');
    expect(errors).toEqual([
      expect.objectContaining({ severity: 2, message: expect.stringMatching(/app/i) }),
    ]);
  }, 60_000);

  it('fails a domain lib that imports an infra lib', async () => {
    const errors = await lintFixture('libs/emv/src/__lint-fixtures__/domain-imports-infra.ts');
    expect(errors).toEqual([
      expect.objectContaining({
        severity: 2,
        message: expect.stringMatching(/type:domain.*can only depend on libs tagged with/),
      }),
    ]);
  }, 60_000);

  it('passes a domain lib that imports only its own layer', async () => {
    expect(lint('libs/crypto/src/index.ts').filter((m) => m.severity === 2)).toEqual([]);
  }, 60_000);
});
