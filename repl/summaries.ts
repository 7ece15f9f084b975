import { inspect } from 'node:util';
import type { Plan } from '../src/core/planner/plan-types';
import { describeRequest } from '../src/text/request-text';

/**
 * The REPL echoes what a command returns; plans, operations and snapshots are big, so they
 * echo as one line. Their fields are all still there (`.stages`, json(x)).
 */
export function summarized<T extends object>(value: T, summary: () => string): T {
  Object.defineProperty(value, inspect.custom, { value: summary, enumerable: false, configurable: true });
  return value;
}

/** `Plan { evacuate us-east-1: ready: 4 group change(s), 2 stage(s) — .services … }` */
export function planSummary(plan: Plan): string {
  const verdict = plan.blockers.length > 0 ? `BLOCKED (${plan.blockers.map((b) => b.code).join(', ')})` : `ready: ${plan.groupChanges.length} group change(s), ${plan.stages.length} stage(s)`;
  return `Plan { ${describeRequest(plan.intent)}: ${verdict} — .services .groupChanges .stages .warnings .blockers }`;
}
