import { Counter, Gauge, Registry } from 'prom-client';

/** What an outbox relay reports to Prometheus (names documented in docs/events.md). */
export class RelayMetrics {
  readonly active: Gauge<'relay'>;
  readonly lagEvents: Gauge<'relay'>;
  readonly lagSeconds: Gauge<'relay'>;
  readonly published: Counter<'relay'>;
  readonly publishFailures: Counter<'relay'>;

  constructor(readonly registry: Registry = new Registry()) {
    const registers = [registry];
    const labelNames = ['relay'] as const;
    this.active = new Gauge({
      name: 'tillgate_outbox_relay_active',
      help: '1 while this process holds the relay lock of its database and publishes',
      labelNames,
      registers,
    });
    this.lagEvents = new Gauge({
      name: 'tillgate_outbox_lag_events',
      help: 'Events recorded but not yet acknowledged by Kafka',
      labelNames,
      registers,
    });
    this.lagSeconds = new Gauge({
      name: 'tillgate_outbox_lag_seconds',
      help: 'Age of the oldest event not yet acknowledged by Kafka (0 when none)',
      labelNames,
      registers,
    });
    this.published = new Counter({
      name: 'tillgate_outbox_published_total',
      help: 'Events published to Kafka and acknowledged',
      labelNames,
      registers,
    });
    this.publishFailures = new Counter({
      name: 'tillgate_outbox_publish_failures_total',
      help: 'Batches Kafka did not acknowledge (they are retried)',
      labelNames,
      registers,
    });
  }
}
