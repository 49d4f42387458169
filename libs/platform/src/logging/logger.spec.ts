import { Writable } from 'node:stream';
import { maskPanLike } from './card-data-redaction';
import { NestPinoLogger, createLogger } from './logger';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...chunk.toString().trim().split('\n'));
      cb();
    },
  });
  return { logger: createLogger({ level: 'trace' }, stream), lines };
}

// Test PANs from public scheme test ranges (Luhn-valid).
const PAN = '4761739001010010';
const PAN19 = '6011000990139424';

describe('card data never reaches a log line', () => {
  it('censors card-data fields at any of the first three levels', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        pan: PAN,
        request: { track2: `${PAN}=25122010000000000`, pinBlock: '0412AC89ABCDEF67', amount: 100 },
        card: { emv: { cvv: '123', key: '0123456789ABCDEFFEDCBA9876543210' } },
      },
      'authorize',
    );
    const line = lines.join('\n');
    expect(line).not.toContain(PAN);
    expect(line).not.toContain('0412AC89ABCDEF67');
    expect(line).not.toContain('"123"');
    expect(line).not.toContain('0123456789ABCDEFFEDCBA9876543210');
    expect(JSON.parse(lines[0]).request.amount).toBe(100);
  });

  it('masks a Luhn-valid PAN pasted into a message or a free-text field', () => {
    const { logger, lines } = capture();
    logger.warn({ note: `customer said ${PAN19}` }, `declined card ${PAN}`);
    const entry = JSON.parse(lines[0]);
    expect(entry.msg).toBe('declined card 476173******0010');
    expect(entry.note).toBe('customer said 601100******9424');
  });

  it('masks PANs in errors logged through the NestJS adapter', () => {
    const { logger, lines } = capture();
    new NestPinoLogger(logger).error(`lookup failed for ${PAN}`, 'stack', 'Ctx');
    expect(lines.join('\n')).not.toContain(PAN);
  });

  it('leaves digit runs that are not PANs alone', () => {
    expect(maskPanLike('stan 000123 rrn 123456789012 amount 4761739001010011')).toBe(
      'stan 000123 rrn 123456789012 amount 4761739001010011',
    );
  });
});
