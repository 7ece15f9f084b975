import { AsyncLocalStorage } from 'node:async_hooks';

export interface CallCounts {
  service: string;
  region: string;
  action: string;
  calls: number;
  attempts: number;
  throttles: number;
  failures: number;
}

const CALL_KINDS = ['calls', 'attempts', 'throttles', 'failures'] as const;
export type CallKind = (typeof CALL_KINDS)[number];

export interface CallSummary {
  calls: number;
  attempts: number;
  /** Attempts beyond the first of each call: the SDK's retries. */
  retries: number;
  throttles: number;
  failures: number;
  byAction: CallCounts[];
}

/** How a finished call ended: answered, failed for good on throttling, or failed otherwise. */
export type CallOutcome = 'ok' | 'throttled' | 'failed';

/** Finished calls by how they ended, for one (service, region, action). */
export interface CallOutcomes {
  service: string;
  region: string;
  action: string;
  outcomes: Record<CallOutcome, number>;
}

/**
 * A process's running totals of its calls to the cloud, read-only: what metrics read on
 * each scrape. Totals only ever rise. The AWS adapter's AwsCallStats is one.
 */
export interface CallTotals {
  /** Calls, attempts, throttles and failures per (service, region, action). */
  snapshot(): readonly CallCounts[];
  /** Finished calls by outcome per (service, region, action); calls still in flight are in neither. */
  outcomes(): readonly CallOutcomes[];
}

/**
 * Calls to the cloud counted for one piece of work (an operation), whatever else the
 * process is doing: adapters record into the tally of the async context they run in.
 */
export class CallTally {
  private readonly counts = new Map<string, CallCounts>();

  record(kind: CallKind, service: string, region: string, action: string): void {
    this.entry(service, region, action)[kind] += 1;
  }

  /** Add counts recorded elsewhere (an earlier attempt of the same operation). */
  add(counts: readonly CallCounts[]): void {
    for (const c of counts) {
      const e = this.entry(c.service, c.region, c.action);
      for (const kind of CALL_KINDS) e[kind] += c[kind];
    }
  }

  /** A copy of the counts, sorted by service, region and action. */
  byAction(): CallCounts[] {
    return [...this.counts.values()].map((c) => ({ ...c })).sort((a, b) => a.service.localeCompare(b.service) || a.region.localeCompare(b.region) || a.action.localeCompare(b.action));
  }

  summary(): CallSummary {
    const byAction = this.byAction();
    const sum = (k: CallKind) => byAction.reduce((a, c) => a + c[k], 0);
    return { calls: sum('calls'), attempts: sum('attempts'), retries: sum('attempts') - sum('calls'), throttles: sum('throttles'), failures: sum('failures'), byAction };
  }

  private entry(service: string, region: string, action: string): CallCounts {
    const key = `${service}\u0000${region}\u0000${action}`;
    let c = this.counts.get(key);
    if (!c) this.counts.set(key, (c = { service, region, action, calls: 0, attempts: 0, throttles: 0, failures: 0 }));
    return c;
  }
}

const current = new AsyncLocalStorage<CallTally>();

export function withCallTally<T>(tally: CallTally, work: () => Promise<T>): Promise<T> {
  return current.run(tally, work);
}

export function currentCallTally(): CallTally | undefined {
  return current.getStore();
}
