import { FaultPlan } from './fault-plan';

describe('FaultPlan', () => {
  it('applies the first matching rule, once by default', () => {
    const plan = new FaultPlan();
    plan.add({ match: { mti: '0400' }, action: { kind: 'no-answer' } });
    plan.add({ action: { kind: 'delay', ms: 10 } });
    expect(plan.take({ mti: '0100', stan: '000001' })).toEqual({ kind: 'delay', ms: 10 });
    expect(plan.take({ mti: '0400', stan: '000002' })).toEqual({ kind: 'no-answer' });
    expect(plan.take({ mti: '0400', stan: '000003' })).toBeUndefined();
  });

  it('counts down `times`, keeps "always" rules until cleared', () => {
    const plan = new FaultPlan();
    plan.add({ match: { terminalId: 'TERM0002' }, action: { kind: 'drop-response' }, times: 2 });
    plan.add({ match: { stan: '000042' }, action: { kind: 'disconnect' }, times: 'always' });
    const t2 = { mti: '0100', stan: '000001', terminalId: 'TERM0002' };
    expect(plan.take(t2)).toEqual({ kind: 'drop-response' });
    expect(plan.list()[0].remaining).toBe(1);
    expect(plan.take(t2)).toEqual({ kind: 'drop-response' });
    expect(plan.take(t2)).toBeUndefined();
    for (let i = 0; i < 3; i++)
      expect(plan.take({ mti: '0200', stan: '000042' })?.kind).toBe('disconnect');
    expect(plan.clear()).toBe(1);
  });

  it('refuses a count that is not a positive integer', () => {
    expect(() => new FaultPlan().add({ action: { kind: 'no-answer' }, times: 0 })).toThrow(
      RangeError,
    );
  });
});
