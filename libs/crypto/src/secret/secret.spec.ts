import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { format, inspect } from 'node:util';
import { Pan } from './pan';
import { exposeBytes, REDACTED, Secret } from './secret';

const PAN_DIGITS = '4761739001010010';
const MASKED = '476173******0010';
const KEY_HEX = '0123456789ABCDEFFEDCBA9876543210';

/** Everything a console.* call would have written, as one string. */
function consoleOutput(write: (console: Console) => void): string {
  let out = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      out += chunk.toString();
      done();
    },
  });
  write(new Console({ stdout: sink, stderr: sink }));
  return out;
}

/** The ways a value can end up in text by accident. */
function renderings(value: unknown): Record<string, string> {
  const error = new Error(`declined for ${value}`, { cause: value });
  return {
    String: String(value),
    template: `${value}`,
    concatenation: 'x' + value,
    'JSON.stringify': JSON.stringify({ value }),
    'util.inspect': inspect({ nested: { value } }, { depth: 5 }),
    'util.inspect showHidden': inspect(value, { showHidden: true }),
    'format %s %o %O %j': format('%s %o %O %j', value, value, value, value),
    'console.log': consoleOutput((c) => c.log(value)),
    'console.error object': consoleOutput((c) => c.error({ value })),
    'console.table': consoleOutput((c) => c.table([{ value }])),
    'Error message': error.message,
    'Error inspect with cause': inspect(error),
    'Error stack': error.stack ?? '',
  };
}

describe('Secret', () => {
  const secret = new Secret(Buffer.from(KEY_HEX, 'hex'));

  it.each(Object.entries(renderings(secret)))('prints %s as [REDACTED]', (_how, text) => {
    expect(text).toContain(REDACTED);
    expect(text.toUpperCase()).not.toContain(KEY_HEX);
    expect(text).not.toContain('1, 35, 69');
  });

  it('hides the value from enumeration and reflection', () => {
    expect(Object.keys(secret)).toEqual([]);
    expect(Object.getOwnPropertyNames(secret)).toEqual([]);
    expect(JSON.stringify(secret)).toBe(JSON.stringify(REDACTED));
  });

  it('gives the value only through expose()', () => {
    expect(secret.expose().toString('hex').toUpperCase()).toBe(KEY_HEX);
    expect(exposeBytes(secret)).toBe(secret.expose());
    const raw = Buffer.alloc(1);
    expect(exposeBytes(raw)).toBe(raw);
  });

  it('maps without exposing', () => {
    const length = secret.map((key) => key.length);
    expect(String(length)).toBe(REDACTED);
    expect(length.expose()).toBe(16);
  });
});

describe('Pan masking', () => {
  const pan = Pan.parse(PAN_DIGITS);

  it.each(Object.entries(renderings(pan)))('prints %s masked', (_how, text) => {
    expect(text).toContain(MASKED);
    expect(text).not.toContain(PAN_DIGITS);
    expect(text).not.toContain('739001010');
  });

  it('is masked inside objects that are logged as a whole', () => {
    const payment = { pan, amount: 1000 };
    expect(JSON.stringify(payment)).toBe(`{"pan":"${MASKED}","amount":1000}`);
    expect(inspect(payment)).toBe(`{ pan: Pan(${MASKED}), amount: 1000 }`);
  });

  it('reveals the digits only on request', () => {
    expect(pan.reveal()).toBe(PAN_DIGITS);
  });
});
