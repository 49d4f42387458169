/**
 * What the host does instead of (or on top of) answering normally:
 * - `delay`: process, answer `ms` later (the link times out, the answer arrives late);
 * - `no-answer`: ignore the request, as if it never arrived (nothing is processed);
 * - `drop-response`: process (balances and journal change), never answer;
 * - `disconnect`: close the connection instead of answering; processed first if `afterProcessing`;
 * - `respond`: answer with this field 39 without processing (e.g. 91 issuer inoperative, 96).
 */
export type FaultAction =
  | { readonly kind: 'delay'; readonly ms: number }
  | { readonly kind: 'no-answer' }
  | { readonly kind: 'drop-response' }
  | { readonly kind: 'disconnect'; readonly afterProcessing?: boolean }
  | { readonly kind: 'respond'; readonly responseCode: string };

/** Which requests a fault applies to; every condition given must hold. */
export interface FaultMatch {
  readonly mti?: string;
  readonly stan?: string;
  readonly terminalId?: string;
}

export interface FaultRuleInput {
  readonly match?: FaultMatch;
  readonly action: FaultAction;
  /** How many matching requests it applies to; default 1. 'always' until cleared. */
  readonly times?: number | 'always';
}

export interface FaultRule {
  readonly id: number;
  readonly match: FaultMatch;
  readonly action: FaultAction;
  /** Requests it still applies to. */
  readonly remaining: number | 'always';
}

export interface RequestSummary {
  readonly mti: string;
  readonly stan?: string;
  readonly terminalId?: string;
}

/** Fault rules, first match wins; a rule is used up after `times` requests. */
export class FaultPlan {
  private rules: FaultRule[] = [];
  private nextId = 1;

  add(input: FaultRuleInput): FaultRule {
    const times = input.times ?? 1;
    if (times !== 'always' && (!Number.isInteger(times) || times < 1)) {
      throw new RangeError('times must be a positive integer or "always"');
    }
    const rule: FaultRule = {
      id: this.nextId++,
      match: input.match ?? {},
      action: input.action,
      remaining: times,
    };
    this.rules.push(rule);
    return rule;
  }

  list(): FaultRule[] {
    return [...this.rules];
  }

  clear(): number {
    const count = this.rules.length;
    this.rules = [];
    return count;
  }

  /** The action for this request, if a rule matches; uses up one of the rule's times. */
  take(request: RequestSummary): FaultAction | undefined {
    const index = this.rules.findIndex((r) => matches(r.match, request));
    if (index < 0) return undefined;
    const rule = this.rules[index];
    if (rule.remaining !== 'always') {
      const remaining = rule.remaining - 1;
      if (remaining === 0) this.rules.splice(index, 1);
      else this.rules[index] = { ...rule, remaining };
    }
    return rule.action;
  }
}

function matches(match: FaultMatch, request: RequestSummary): boolean {
  return (
    (match.mti === undefined || match.mti === request.mti) &&
    (match.stan === undefined || match.stan === request.stan) &&
    (match.terminalId === undefined || match.terminalId === request.terminalId)
  );
}
