import fc from 'fast-check';
import { mutationsOf } from './byte-mutation';
import { expectOnly, fuzzParameters, fuzzRuns } from './fuzz.config';

describe('fuzz settings', () => {
  const saved = process.env.FUZZ_RUNS;
  afterEach(() => {
    if (saved === undefined) delete process.env.FUZZ_RUNS;
    else process.env.FUZZ_RUNS = saved;
  });

  it('runs 100,000 inputs by default and honours FUZZ_RUNS', () => {
    delete process.env.FUZZ_RUNS;
    expect(fuzzRuns()).toBe(100_000);
    process.env.FUZZ_RUNS = '250';
    expect(fuzzParameters()).toMatchObject({ numRuns: 250 });
  });

  it('refuses a FUZZ_RUNS that is not a positive integer', () => {
    process.env.FUZZ_RUNS = '-3';
    expect(() => fuzzRuns()).toThrow('FUZZ_RUNS must be a positive integer');
  });

  it('lets expected errors through and fails on any other', () => {
    class Expected extends Error {}
    expect(
      expectOnly(
        (e) => e instanceof Expected,
        () => {
          throw new Expected('ok');
        },
      ),
    ).toBeInstanceOf(Expected);
    expect(() =>
      expectOnly(
        (e) => e instanceof Expected,
        () => {
          throw new TypeError('boom');
        },
      ),
    ).toThrow('boom');
  });

  it('mutates valid samples into inputs that differ from them', () => {
    const sample = Uint8Array.from([0x9f, 0x02, 0x06, 0, 0, 0, 0, 0x10, 0]);
    const outputs = fc.sample(mutationsOf([sample]), { seed: 7, numRuns: 50 });
    expect(outputs.some((o) => Buffer.compare(Buffer.from(o), Buffer.from(sample)) !== 0)).toBe(
      true,
    );
  });
});
