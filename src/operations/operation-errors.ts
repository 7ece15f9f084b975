import type { ErrorCode, Problem } from '../core/errors';
import { LifeboatError } from '../core/errors';
import type { Plan } from '../core/planner/plan-types';

/** The operation must not go ahead: it ends as refused, with the reason. */
export class OperationRefused extends LifeboatError {
  constructor(problem: Problem) {
    super(problem.code, problem.message, problem.details, problem.hint);
    this.name = 'OperationRefused';
  }
}

/** Failures worth retrying: the world may answer differently in a moment. */
const TRANSIENT: readonly ErrorCode[] = ['LB_ERR_AWS_THROTTLED', 'LB_ERR_AWS_UNAVAILABLE', 'LB_ERR_AWS_BUSY', 'LB_ERR_DEPENDENCY_DOWN'];

export function isTransient(e: unknown): boolean {
  if (e instanceof OperationRefused) return false;
  if (e instanceof LifeboatError) return TRANSIENT.includes(e.code);
  return true;
}

/** Any error as the Problem an operation records: never a stack trace. */
export function problemOf(e: unknown): Problem {
  if (e instanceof LifeboatError) return e.toProblem();
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'LB_ERR_INTERNAL', message: `unexpected error: ${message}` };
}

/**
 * Blockers the requester may force past: a shortfall (what can move still moves), and a
 * region lifeboat cannot read and holds no reading of (planned as if it ran nothing).
 */
const FORCIBLE: readonly ErrorCode[] = ['LB_ERR_SHORTFALL', 'LB_ERR_REGION_UNREADABLE'];

/** Whether every blocker is one the requester may force past. */
export function forcible(plan: Pick<Plan, 'blockers'>): boolean {
  return plan.blockers.every((b) => FORCIBLE.includes(b.code));
}

/** Why a plan must not go ahead (its first blocker's code, every blocker's message), or undefined when it may. */
export function refusalOf(plan: Pick<Plan, 'blockers'>, force: boolean | undefined): Problem | undefined {
  if (plan.blockers.length === 0 || (force && forcible(plan))) return undefined;
  const first = plan.blockers[0]!;
  return { code: first.code, message: plan.blockers.map((b) => b.message).join('; '), details: { blockers: plan.blockers }, ...(first.hint ? { hint: first.hint } : {}) };
}
