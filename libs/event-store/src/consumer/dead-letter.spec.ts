import { UndecodableRecord } from '../kafka/event-record';
import { ExpectedVersionConflict } from '../store/event-store.errors';
import { toDeadLetter, type SourceRecord } from './dead-letter';

const source: SourceRecord = {
  topic: 'tillgate.payments.v1',
  partition: 2,
  message: {
    key: Buffer.from('payments-1'),
    value: Buffer.from([1, 2, 3]),
    headers: { 'event-id': 'e-1' },
    offset: '41',
    timestamp: '0',
    attributes: 0,
  },
};

describe('toDeadLetter', () => {
  it('keeps the original record and says what failed where', () => {
    const letter = toDeadLetter(
      { kind: 'handler-failed', error: new ExpectedVersionConflict('ledger-1', 3, 4), attempts: 3 },
      source,
      'ledger',
    );
    expect(letter.key).toEqual(source.message.key);
    expect(letter.value).toEqual(source.message.value);
    expect(letter.headers).toEqual({
      'event-id': 'e-1',
      'dlq-reason': 'HANDLER_FAILED',
      'dlq-error-code': 'EXPECTED_VERSION_CONFLICT',
      'dlq-error': 'stream ledger-1 is at version 4, expected 3',
      'dlq-attempts': '3',
      'dlq-consumer': 'ledger',
      'dlq-source-topic': 'tillgate.payments.v1',
      'dlq-source-partition': '2',
      'dlq-source-offset': '41',
    });
  });

  it('labels an undecodable record and masks a PAN in an error message', () => {
    const undecodable = toDeadLetter(
      { kind: 'undecodable', error: new UndecodableRecord('bad') },
      source,
      'ledger',
    );
    expect(undecodable.headers).toMatchObject({
      'dlq-reason': 'UNDECODABLE_RECORD',
      'dlq-error-code': 'UNDECODABLE_RECORD',
    });
    const leaky = toDeadLetter(
      { kind: 'handler-failed', error: new Error('card 4111111111111111 refused'), attempts: 1 },
      source,
      'ledger',
    );
    expect(leaky.headers?.['dlq-error']).toBe('card 411111******1111 refused');
  });
});
