import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import { maskPanLike } from '@tillgate/platform';
import type { UndecodableRecord } from '../kafka/event-record';

/** Why a consumer gave up on a record. */
export type ConsumerFailure =
  | { kind: 'undecodable'; error: UndecodableRecord }
  | { kind: 'handler-failed'; error: unknown; attempts: number };

export interface SourceRecord {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/** Where a consumer's dead letters go unless told otherwise. */
export const deadLetterTopicFor = (consumer: string) => `tillgate.dlq.${consumer}`;

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : ((error as Error)?.name ?? 'Error');
}

// Error text goes to Kafka: PAN-like digit runs are masked and the length is bounded.
const describe = (error: unknown) =>
  maskPanLike(String((error as Error)?.message ?? error)).slice(0, 500);

/**
 * The one place a consumer failure becomes a dead-letter record: the
 * original key, value and headers, plus headers saying what failed where.
 */
export function toDeadLetter(
  failure: ConsumerFailure,
  source: SourceRecord,
  consumer: string,
): Message {
  let reason: Record<string, string>;
  switch (failure.kind) {
    case 'undecodable':
      reason = {
        'dlq-reason': 'UNDECODABLE_RECORD',
        'dlq-error-code': failure.error.code,
        'dlq-error': describe(failure.error),
        'dlq-attempts': '1',
      };
      break;
    case 'handler-failed':
      reason = {
        'dlq-reason': 'HANDLER_FAILED',
        'dlq-error-code': errorCode(failure.error),
        'dlq-error': describe(failure.error),
        'dlq-attempts': String(failure.attempts),
      };
      break;
    default: {
      const never: never = failure;
      throw new Error(`unknown consumer failure ${JSON.stringify(never)}`);
    }
  }
  const headers: IHeaders = {
    ...source.message.headers,
    ...reason,
    'dlq-consumer': consumer,
    'dlq-source-topic': source.topic,
    'dlq-source-partition': String(source.partition),
    'dlq-source-offset': source.message.offset,
  };
  return { key: source.message.key, value: source.message.value, headers };
}
