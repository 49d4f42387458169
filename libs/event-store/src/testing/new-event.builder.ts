import { randomUUID } from 'node:crypto';
import { probeV1 } from '@tillgate/contracts';
import type { NewEvent } from '../store/event.types';

/** Builds a NewEvent; by default a `ProbeIncremented` with a fresh id. */
export class NewEventBuilder {
  private event: NewEvent = {
    eventId: randomUUID(),
    type: 'tillgate.probe.v1.ProbeIncremented',
    schemaVersion: 1,
    payload: probeV1.ProbeIncremented.encode({ by: '1', total: '1' }).finish(),
    occurredAt: new Date('2025-11-25T10:00:00.000Z'),
    correlationId: randomUUID(),
    merchantId: 'merchant-0001',
  };

  withId(eventId: string): this {
    this.event = { ...this.event, eventId };
    return this;
  }

  incrementing(by: number, total: number): this {
    this.event = {
      ...this.event,
      payload: probeV1.ProbeIncremented.encode({ by: String(by), total: String(total) }).finish(),
    };
    return this;
  }

  withLabel(label: string): this {
    this.event = {
      ...this.event,
      type: 'tillgate.probe.v1.ProbeOpened',
      payload: probeV1.ProbeOpened.encode({ probeId: 'p', label, limit: '100' }).finish(),
    };
    return this;
  }

  with(fields: Partial<NewEvent>): this {
    this.event = { ...this.event, ...fields };
    return this;
  }

  build(): NewEvent {
    return { ...this.event };
  }
}

export const aNewEvent = () => new NewEventBuilder();

/** `count` events with fresh ids. */
export const newEvents = (count: number): NewEvent[] =>
  Array.from({ length: count }, (_, i) =>
    aNewEvent()
      .incrementing(1, i + 1)
      .build(),
  );

export const aStreamId = (context = 'probe') => `${context}-${randomUUID()}`;
