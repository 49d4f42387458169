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
    if (alsoStatements?.length) await runAlsoStatements(tx, alsoStatements);
    if (also) await also(tx, outcome.value);
  }
}

export const hasAlsoWrites = (requests: readonly RoutedAppend[]) =>
  requests.some((request) => request.also !== undefined || request.alsoStatements?.length);

/**
 * An append's statements in the batch's transaction, after its events were
 * written: on Postgres as one statement (data-modifying WITH queries), on
 * SQLite one by one.
 */
async function runAlsoStatements(tx: AppendTransaction, statements: readonly AlsoStatement[]) {
  if (tx.kind === 'postgres') {
    const also = alsoStatementsAsWith(statements, 0);
    await tx.query(`WITH appended AS (SELECT 1), ${also.sql} SELECT 1`, also.params);
    return;
  }
  for (const { sql, params } of statements) {
    // ? placeholders, bound in the order they appear.
    const order: unknown[] = [];
    const text = sql.replace(/\$(\d+)/g, (_, n: string) => {
      order.push(params[Number(n) - 1]);
      return '?';
    });
    await tx.query(`WITH appended AS (SELECT 1) ${text}`, order);
  }
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
