import { stageOf } from './stage-weights';
import { recordKey } from '../../core/fleet';
import type { StepContext, StepHandler, StepOutcome } from './step-context';
import { elapsedMs, planOf, waitOrInterrupt } from './step-context';

/** Longest TTL among the records a set of changes touched. */
function longestTtl(ctx: StepContext, changes: ReadonlyArray<{ zoneId: string; name: string; type: string; setIdentifier: string }>): number {
  const records = new Map(planOf(ctx).snapshot.records.map((r) => [recordKey(r), r]));
  return Math.max(0, ...changes.map((c) => records.get(recordKey(c))?.ttl ?? 0));
}

/**
 * Let resolvers' caches catch up: at least the record TTL, unless configured otherwise
 * (LIFEBOAT_DWELL, or the operation's dwellSeconds for its stages).
 */
async function dwellFor(
  ctx: StepContext,
  changes: ReadonlyArray<{ zoneId: string; name: string; type: string; setIdentifier: string }>,
  operationDwell: number | undefined,
): Promise<StepOutcome> {
  const seconds = operationDwell ?? ctx.settings.LIFEBOAT_DWELL ?? longestTtl(ctx, changes);
  const left = seconds * 1000 - elapsedMs(ctx);
  if (left > 0) await waitOrInterrupt(ctx, left);
  return { outcome: `dwelt ${seconds} s` };
}

export const dwell: StepHandler = (ctx) => {
  // A rollback's dwell is not a stage's: the operation's dwellSeconds does not stretch it.
  if (ctx.step.stage === undefined) return dwellFor(ctx, planOf(ctx).plan.stages.flatMap((s) => s.weights), undefined);
  return dwellFor(ctx, stageOf(ctx).weights, ctx.op.options.dwellSeconds);
};
