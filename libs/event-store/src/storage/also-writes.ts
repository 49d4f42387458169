import type { AppendOutcome, BatchPlan } from '../store/append-plan';
import type { AppendTransaction, RoutedAppend } from './event-storage.port';

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
    const also = requests[index].also;
    const outcome = outcomes[index];
    if (also && decision.kind === 'write' && outcome.ok) await also(tx, outcome.value);
  }
}

export const hasAlsoWrites = (requests: readonly RoutedAppend[]) =>
  requests.some((request) => request.also !== undefined);
