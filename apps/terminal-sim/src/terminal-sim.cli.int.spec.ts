import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCardProfile, seededRandom, serializeCardProfile } from '@tillgate/emv';
import { loadTestCard, testKeyStore, type GatewayDoubleOptions } from '@tillgate/terminal-sim';
import { startGatewayDouble } from './testing/gateway-double.server';
import { runCaptured } from './testing/run-captured';

const card = loadTestCard('tillgate-demo-card-1');

describe('terminal-sim CLI against a gRPC test double of the gateway', () => {
  let dir: string;
  let gateway: Awaited<ReturnType<typeof startGatewayDouble>>;
  const start = async (options: Partial<GatewayDoubleOptions> = {}) => {
    gateway = await startGatewayDouble({
      keyStore: await testKeyStore(),
      cards: [card],
      ...options,
    });
  };
  const cli = (args: string[]) =>
    runCaptured([...args, '--gateway', gateway.address, '--state', join(dir, 'state.json')]);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'terminal-sim-cli-'));
  });
  afterEach(async () => {
    await gateway?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['tdes', 'aes'])(
    'sale with %s DUKPT: prints the receipt and APPROVED, exits 0, the card data never printed',
    async (dukpt) => {
      await start();
      const { code, stdout, stderr } = await cli(['sale', '--amount', '12.50', '--dukpt', dukpt]);
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout).toContain('TILLGATE TEST MERCHANT');
      expect(stdout).toContain('THANK YOU');
      expect(stdout).toMatch(/^APPROVED {2}payment [0-9a-f-]{36}$/m);
      expect(stdout).toMatch(/ODA dda ok {2}CVM encipheredPinOnline .* ARQC -> TC {2}ARPC valid/);
      expect(stdout).not.toContain(card.profile.pan);
      expect(gateway.double.seen.map((s) => [s.operation, s.pin === card.profile.pin])).toEqual([
        ['Authorize', true],
        ['Complete', false],
      ]);
    },
  );

  it('--json prints one JSON object with the outcome and the masked PAN', async () => {
    await start();
    const run = await cli(['sale', '--amount', '3', '--json']);
    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({
      outcome: 'approved',
      status: 'CAPTURED',
      responseCode: '00',
      maskedPan: expect.stringMatching(/^476173\*+\d{4}$/),
      emv: { firstAc: 'ARQC', secondAc: 'TC', arpc: 'valid', cvm: 'encipheredPinOnline' },
    });
  });

  it('a card profile file as `tillgate emv card-profile new` writes it is inserted like a named card', async () => {
    const profile = generateCardProfile({
      random: seededRandom('terminal-sim-file-card'),
      pin: '4321',
    });
    const file = join(dir, 'card.json');
    writeFileSync(file, serializeCardProfile(profile));
    await start({ cards: [loadTestCard(file)] });
    const run = await cli(['sale', '--amount', '1.00', '--card', file, '--json']);
    expect(run.code).toBe(0);
    expect(gateway.double.seen[0]).toMatchObject({ pin: '4321', arqcValid: true });
  });

  it('a wrong PIN: the receipt says declined, exit code 3', async () => {
    await start();
    const wrong = card.profile.pin === '0000' ? '1111' : '0000';
    const run = await cli(['sale', '--amount', '5.00', '--pin', wrong]);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/^DECLINED 55 {2}payment/m);
  });

  it('a request the gateway refuses: one line on stderr naming the status and field, exit 1', async () => {
    await start();
    const run = await cli(['void', '--payment', 'no-such-payment']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'terminal-sim: refused: NOT_FOUND (not_found, field payment_id): unknown payment\n',
    );
  });

  it('an answer whose response MAC does not verify is not trusted: one line, exit 1', async () => {
    await start({ corruptResponseMac: true });
    const run = await cli(['sale', '--amount', '1.00']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'terminal-sim: Authorize response MAC does not verify: the answer is not trusted\n',
    );
  });

  it('pre-authorization, capture, refund and batch close in successive runs share the state file', async () => {
    await start();
    expect((await cli(['preauth', '--amount', '20.00'])).code).toBe(0);
    const capture = await cli(['capture', '--amount', '15.00']);
    expect(capture).toMatchObject({ code: 0 });
    expect(capture.stdout).toMatch(/CAPTURE CAPTURED {2}payment .* captured 15\.00 CNY/);
    const refund = await cli(['refund', '--amount', '5.00', '--json']);
    expect(refund.json()).toMatchObject({ operation: 'refund', refunded: '5.00 CNY' });
    const batch = await cli(['batch-close']);
    expect(batch.stdout).toMatch(/BATCH-CLOSE OK {2}batch 1/);
    // Five runs, six requests, one KSN each: the double refused none as replayed.
    expect(gateway.double.seen.map((s) => s.operation)).toEqual([
      'Authorize',
      'Complete',
      'Capture',
      'Refund',
      'CloseBatch',
    ]);
  });

  it('--retransmit sends the last request again unchanged and prints the original answer', async () => {
    await start();
    await cli(['sale', '--amount', '1.00']);
    const again = await cli(['sale', '--retransmit']);
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout).toMatch(/^COMPLETE \(RETRANSMITTED\) CAPTURED {2}payment /m);
    const [complete, retransmitted] = gateway.double.seen.slice(-2);
    expect(retransmitted).toEqual({
      operation: 'Complete',
      retransmission: true,
      ksn: complete!.ksn,
    });
  });

  it.each([
    [['sale'], /--amount is required/],
    [['sale', '--amount', '12.505'], /--amount: amount 12\.505 is not a CNY amount/],
    [['sale', '--amount', '0'], /--amount: amount must be above zero/],
    [['sale', '--amount', '1', '--currency', 'XXX'], /--currency: currency XXX is not one/],
    [['sale', '--amount', '1', '--terminal', 'T1'], /--terminal must be 8 printable characters/],
    [['sale', '--amount', '1', '--pin', '12'], /--pin must be 4 to 12 digits/],
    [
      ['sale', '--amount', '1', '--card', join('/nonexistent', 'x.json')],
      /--card .*x\.json: cannot be read/,
    ],
    [['load', '--count', '0'], /--count must be an integer/],
    [['sale', '--dukpt', 'des'], /error: option '--dukpt <scheme>' argument 'des' is invalid/],
  ])('usage error %j: one line on stderr, exit 2', async (args, message) => {
    await start();
    const run = await cli(args as string[]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('load: N payments over two terminals with two cards, progress on stderr, percentiles in JSON', async () => {
    const second = loadTestCard('tillgate-demo-card-2');
    await start({ cards: [card, second] });
    const run = await cli([
      'load',
      '--count',
      '12',
      '--concurrency',
      '2',
      '--rate',
      '200',
      '--card',
      'tillgate-demo-card-1,tillgate-demo-card-2',
      '--skip-oda',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const report = run.json() as {
      count: number;
      outcomes: Record<string, number>;
      errors: number;
      latencyMs: { p50: number; p95: number; p99: number };
      throughputPerSecond: number;
    };
    expect(report).toMatchObject({ count: 12, outcomes: { approved: 12 }, errors: 0 });
    expect(report.latencyMs.p50).toBeGreaterThan(0);
    expect(report.latencyMs.p50).toBeLessThanOrEqual(report.latencyMs.p95);
    expect(report.latencyMs.p95).toBeLessThanOrEqual(report.latencyMs.p99);
    expect(run.stderr).toContain('12/12 100%');
    const terminals = new Set(gateway.double.seen.map((s) => s.ksn.slice(0, 16)));
    expect(terminals.size).toBe(2);
  });
});
