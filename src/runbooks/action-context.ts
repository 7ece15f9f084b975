import { LifeboatError } from '../core/errors';
import type { ExpressionScope } from '../core/runbooks/expressions';
import type { RunbookStep } from '../core/runbooks/runbook-schema';
import type { WorkQueue } from '../operations/ports/work-queue';
import type { RunbookStore } from './runbook-store';
import type { LifeboatDeps } from '../operations/deps';
import type { RunbookCatalog } from './runbook-catalog';
import type { RunData, RunStepRecord } from './run-types';

/** What runbook actions need: everything operations need, plus the runbooks and their store. */
export interface RunbookDeps extends LifeboatDeps {
  runbooks: RunbookCatalog;
  runbookStore: RunbookStore;
  runs: WorkQueue<RunData>;
}

export interface ActionContext {
  deps: RunbookDeps;
  run: RunData;
  record: RunStepRecord;
  step: RunbookStep;
  /** The step's inputs with ${...} references resolved. */
  inputs: Record<string, unknown>;
  /** Aborted when the step times out or the run is cancelled; the step then ends without waiting for the action. */
  signal: AbortSignal;
  save(): Promise<void>;
  /** The expression scope, fresh (the fleet and readiness read again when asked for). */
  scope(needs?: { fleet?: boolean; readiness?: boolean }): Promise<ExpressionScope>;
  /** Sleep on the run's clock; ends early (rejecting) when the signal aborts. */
  sleep(ms: number): Promise<void>;
  /** `runbook:<name>`: how the run's operations are recorded. */
  actor: string;
}

interface ActionResult {
  outcome: string;
  outputs?: Record<string, unknown>;
}

export type Action = (ctx: ActionContext) => Promise<ActionResult>;

/**
 * An input the runbook must give, with its type checked. A wrong one is the runbook
 * author's to fix (LB_ERR_RUNBOOK_INVALID), not a bug in lifeboat.
 */
export function input<T extends 'string' | 'number' | 'boolean'>(
  ctx: ActionContext,
  name: string,
  type: T,
): T extends 'string' ? string : T extends 'number' ? number : boolean {
  const v = ctx.inputs[name];
  if (typeof v !== type) {
    throw invalidInput(ctx, name, `must be a ${type}, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
  }
  return v as never;
}

/** The runbook gave a step an input it cannot use: the author's to fix. */
export function invalidInput(ctx: Pick<ActionContext, 'step'>, name: string, problem: string): LifeboatError {
  return new LifeboatError('LB_ERR_RUNBOOK_INVALID', `step ${ctx.step.id}: input ${name} ${problem}`, { step: ctx.step.id, input: name });
}
