/**
 * Every call the proxy saw, counted by service, region, action and outcome: `ok`,
 * `throttled`, `error` (an injected 5xx), `rejected` (an injected AWS error such as
 * ScalingActivityInProgress), `dropped` (hang or reset) and `upstream-error`
 * (moto answered 400 or more).
 */

export const CALL_OUTCOMES = ['ok', 'throttled', 'error', 'rejected', 'dropped', 'upstream-error'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

export interface CallCounter {
  service: string;
  region: string;
  action: string;
  outcome: CallOutcome;
  count: number;
  /** When the first and the last of these calls were answered (epoch ms). */
  firstAt: number;
  lastAt: number;
}

export class CallCounters {
  private readonly counts = new Map<string, CallCounter>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  record(call: { service: string; region: string; action: string }, outcome: CallOutcome): void {
    const key = [call.service, call.region, call.action, outcome].join('\u0000');
    const at = this.now();
    const c = this.counts.get(key);
    if (c) {
      c.count += 1;
      c.lastAt = at;
    } else this.counts.set(key, { service: call.service, region: call.region, action: call.action, outcome, count: 1, firstAt: at, lastAt: at });
  }

  /** Copies, sorted by service, region, action and outcome. */
  list(): CallCounter[] {
    return [...this.counts.values()]
      .map((c) => ({ ...c }))
      .sort(
        (a, b) =>
          a.service.localeCompare(b.service) || a.region.localeCompare(b.region) || a.action.localeCompare(b.action) || a.outcome.localeCompare(b.outcome),
      );
  }

  reset(): void {
    this.counts.clear();
  }
}

/** The sum of the counters that match every given field. */
export function totalCalls(counters: readonly CallCounter[], filter: Partial<Omit<CallCounter, 'count' | 'firstAt' | 'lastAt'>> = {}): number {
  return counters
    .filter((c) => (Object.keys(filter) as Array<keyof typeof filter>).every((k) => filter[k] === undefined || c[k] === filter[k]))
    .reduce((sum, c) => sum + c.count, 0);
}
