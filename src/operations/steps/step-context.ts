import type { OperationDeps } from '../deps';
import type { OperationData, Progress, StepRecord } from '../operation-types';

/** What a step gets: the world (deps), the operation with its checkpoint, and its own record. */
export interface StepContext extends OperationDeps {
  op: OperationData;
  step: StepRecord;
  /** Persist the checkpoint (the job's data) now. */
  save(): Promise<void>;
  /** Publish live progress (the job's progress), for the API, the REPL and the demo. */
  report(progress: Omit<Progress, 'at'>): Promise<void>;
  /** Sleep on the clock; throws Interrupted as soon as someone asks to cancel the operation. */
  wait(ms: number): Promise<void>;
}

/**
 * Wait where it is safe to stop: throws Interrupted when the operation is cancelled before
 * or while it waits. Steps are interrupted only here, never in the middle of a write.
 */
export function waitOrInterrupt(ctx: StepContext, ms: number): Promise<void> {
  return ctx.wait(ms);
}

/** What a step did, in one line for a human and as data for later steps. */
export interface StepOutcome {
  outcome: string;
  detail?: Record<string, unknown>;
}

export type StepHandler = (ctx: StepContext) => Promise<StepOutcome>;

/** The plan, which every step after the guard can rely on. */
export function planOf(ctx: StepContext) {
  const { plan, snapshot } = ctx.op.checkpoint;
  if (!plan || !snapshot) throw new Error(`step ${ctx.step.id} ran before the guard stored a plan`);
  return { plan, snapshot };
}

/** Milliseconds since the step first started (it may have been resumed by another worker). */
export function elapsedMs(ctx: StepContext): number {
  return ctx.clock.now().getTime() - new Date(ctx.step.startedAt ?? ctx.clock.now()).getTime();
}
