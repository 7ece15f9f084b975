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
  /** Aborted when the step times out or the run is cancelled. */
  signal: AbortSignal;
  save(): Promise<void>;
  /** The expression scope, fresh (the fleet and readiness read again when asked for). */
  scope(needs?: { fleet?: boolean; readiness?: boolean }): Promise<ExpressionScope>;
  /** Sleep that ends early (rejecting) when the signal aborts. */
  sleep(ms: number): Promise<void>;
  /** `runbook:<name>`: how the run's operations are recorded. */
  actor: string;
}

export interface ActionResult {
  outcome: string;
  outputs?: Record<string, unknown>;
}

export type Action = (ctx: ActionContext) => Promise<ActionResult>;

/** An input the runbook must give, with its type checked. */
export function input<T extends 'string' | 'number' | 'boolean'>(
  ctx: ActionContext,
  name: string,
  type: T,
): T extends 'string' ? string : T extends 'number' ? number : boolean {
  const v = ctx.inputs[name];
  if (typeof v !== type) {
    throw new TypeError(`step ${ctx.step.id}: input ${name} must be a ${type}, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
  }
  return v as never;
}
