import type { AppendOutcome, BatchPlan } from '../store/append-plan';
import type { AlsoStatement, AppendTransaction, RoutedAppend } from './event-storage.port';

/**
 * Runs, in batch order, the `also` of every append the plan writes, with its
 * result: not of a refused one, nor of an idempotent re-append (of recorded
 * events, or of events another append of the batch writes), whose writes
 * were done the first time.
 */
export async function runAlsoWrites(
  requests: readonly RoutedAppend[],
  plan: BatchPlan,
  outcomes: readonly AppendOutcome[],
  tx: AppendTransaction,
): Promise<void> {
  for (const [index, decision] of plan.decisions.entries()) {
    const { also, alsoStatements } = requests[index];
    const outcome = outcomes[index];
    if (decision.kind !== 'write' || !outcome.ok) continue;
    for (const statement of alsoStatements ?? []) await runAlsoStatement(tx, statement);
    if (also) await also(tx, outcome.value);
  }
}

export const hasAlsoWrites = (requests: readonly RoutedAppend[]) =>
  requests.some((request) => request.also !== undefined || request.alsoStatements?.length);

/** One statement on its own, in the batch's transaction, after its append's events were written. */
async function runAlsoStatement(tx: AppendTransaction, { sql, params }: AlsoStatement) {
  const text = `WITH appended AS (SELECT 1) ${sql}`;
  if (tx.kind === 'postgres') {
    await tx.query(text, [...params]);
    return;
  }
  // SQLite: ? placeholders, bound in the order they appear.
  const order: unknown[] = [];
  await tx.query(
    text.replace(/\$(\d+)/g, (_, n: string) => {
      order.push(params[Number(n) - 1]);
      return '?';
    }),
    order,
  );
}

/**
 * The statements as data-modifying WITH queries (`also_1 AS (...)`...) to
 * follow the WITH queries of a statement whose parameters end at `$offset`
 * and that defines `appended`; with their parameters, renumbered after it.
 */
export function alsoStatementsAsWith(
  statements: readonly AlsoStatement[],
  offset: number,
): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const queries = statements.map(({ sql, params: own }, i) => {
    const base = offset + params.length;
    params.push(...own);
    return `also_${i + 1} AS (${sql.replace(/\$(\d+)/g, (_, n: string) => `$${base + Number(n)}`)})`;
  });
  return { sql: queries.join(', '), params };
}
