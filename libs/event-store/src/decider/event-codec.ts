import type { NewEvent, StoredEvent } from '../store/event.types';

/** A protobuf message codec as ts-proto generates it (`MessageFns<T>` in @tillgate/contracts). */
export interface MessageCodec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
}

/** Domain events are a discriminated union: `{ type: 'ProbeOpened', data: probeV1.ProbeOpened }`. */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
}

/** How one domain event type is stored: the protobuf message, its fully qualified name and revision. */
export interface EventSchema<Data> {
  protoName: string;
  codec: MessageCodec<Data>;
  /** Default 1; raise it when fields are added to the message. */
  schemaVersion?: number;
}

export type EventCatalog<E extends DomainEvent> = {
  [K in E['type']]: EventSchema<Extract<E, { type: K }>['data']>;
};

/** Thrown when a stream holds an event whose type the catalog does not know. */
export class UnknownEventType extends Error {
  readonly code = 'UNKNOWN_EVENT_TYPE';
  constructor(readonly eventType: string) {
    super(`no schema registered for event type ${eventType}`);
    this.name = 'UnknownEventType';
  }
}

export interface EventCodec<E extends DomainEvent> {
  encode(event: E, envelope: Omit<NewEvent, 'type' | 'schemaVersion' | 'payload'>): NewEvent;
  decode(stored: StoredEvent): E;
}

/** Maps domain events to stored events and back with their protobuf messages. */
export function eventCodec<E extends DomainEvent>(catalog: EventCatalog<E>): EventCodec<E> {
  const entries = Object.entries(catalog) as [E['type'], EventSchema<unknown>][];
  const byProtoName = new Map(
    entries.map(([type, schema]) => [schema.protoName, { type, schema }]),
  );
  return {
    encode(event, envelope) {
      const schema = (catalog as Record<string, EventSchema<unknown>>)[event.type];
      return {
        ...envelope,
        type: schema.protoName,
        schemaVersion: schema.schemaVersion ?? 1,
        payload: schema.codec.encode(event.data).finish(),
      };
    },
    decode(stored) {
      const entry = byProtoName.get(stored.type);
      if (!entry) throw new UnknownEventType(stored.type);
      return { type: entry.type, data: entry.schema.codec.decode(stored.payload) } as E;
    },
  };
}
