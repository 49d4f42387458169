/** The driver's error code and constraint of a failed query (TypeORM wraps the pg error). */
export function driverError(err: unknown): { code?: string; constraint?: string } {
  const e = err as {
    code?: unknown;
    constraint?: unknown;
    driverError?: { code?: unknown; constraint?: unknown };
  };
  const code = e?.driverError?.code ?? e?.code;
  const constraint = e?.driverError?.constraint ?? e?.constraint;
  return {
    code: typeof code === 'string' ? code : undefined,
    constraint: typeof constraint === 'string' ? constraint : undefined,
  };
}

/**
 * Whether the database refused a statement for the data it carried: on
 * Postgres a data exception (class 22) or an integrity constraint violation
 * (class 23), on SQLite a constraint, type or size error. Not a lost
 * connection or an overloaded server.
 */
export function isDataError(err: unknown): boolean {
  const { code } = driverError(err);
  return (
    code !== undefined &&
    (/^2[23][0-9A-Z]{3}$/.test(code) || /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/.test(code))
  );
}

/** Postgres unique_violation. */
export const PG_UNIQUE_VIOLATION = '23505';

/** The position the database gave each row, in the rows' order (RETURNING order is not guaranteed). */
export function positionsInOrder(
  rows: readonly { event: { eventId: string } }[],
  byEventId: ReadonlyMap<string, bigint>,
): bigint[] {
  return rows.map(({ event }) => {
    const position = byEventId.get(event.eventId);
    if (position === undefined)
      throw new Error(`the database returned no position for event ${event.eventId}`);
    return position;
  });
}
