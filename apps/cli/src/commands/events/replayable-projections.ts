import type { Projection } from '@tillgate/event-store';

/**
 * The projections `tillgate events replay` can rebuild, by name. Each
 * feature that owns a read model adds a line here (the ledger's balances,
 * transaction search, settlement totals...).
 */
export const replayableProjections: Record<string, () => Projection> = {};
