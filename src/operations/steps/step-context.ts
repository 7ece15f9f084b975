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
  /** Whether someone asked to cancel the operation (waiting steps check it while they wait). */
  cancelRequested(): Promise<boolean>;
}

/** A waiting step stopped because the operation was cancelled: a safe point. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted by a cancel request');
    this.name = 'Interrupted';
  }
}

/** Longest slice a waiting step sleeps before looking for a cancel request again. */
const CANCEL_CHECK_MS = 1000;

/** Sleep, waking to look for a cancel request; throws Interrupted when there is one. */
export async function waitOrInterrupt(ctx: StepContext, ms: number): Promise<void> {
  const until = ctx.clock.now().getTime() + ms;
  for (let left = ms; left > 0; left = until - ctx.clock.now().getTime()) {
    if (await ctx.cancelRequested()) throw new Interrupted();
    await ctx.clock.sleep(Math.min(left, CANCEL_CHECK_MS));
  }
  if (await ctx.cancelRequested()) throw new Interrupted();
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
