import { stageOf } from './stage-weights';
import { recordKey } from '../../core/fleet';
import { shortOfStage } from './stage-capacity';
import { fallBackFromStage } from './stage-fallback';
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
  watch?: () => Promise<void>,
): Promise<StepOutcome> {
  const seconds = operationDwell ?? ctx.settings.LIFEBOAT_DWELL ?? longestTtl(ctx, changes);
  let polls = 0;
  for (;;) {
    const left = seconds * 1000 - elapsedMs(ctx);
    if (watch) {
      await watch();
      polls++;
    }
    if (left <= 0) break;
    await waitOrInterrupt(ctx, watch ? Math.min(ctx.settings.LIFEBOAT_CAPACITY_POLL_MS, left) : left);
  }
  return { outcome: `dwelt ${seconds} s${watch ? `, capacity checked ${polls} time(s)` : ''}` };
}

/**
 * A stage's dwell watches its capacity at the poll interval: a survivor lowered or emptied
 * under lifeboat (a scheduled action, a person, instances lost or impaired) is caught then,
 * not a TTL later, and the stage falls back at once (stage-fallback).
 */
export const dwell: StepHandler = (ctx) => {
  // A rollback's dwell is not a stage's: the operation's dwellSeconds does not stretch it, and there is no stage to watch.
  if (ctx.step.stage === undefined) return dwellFor(ctx, planOf(ctx).plan.stages.flatMap((s) => s.weights), undefined);
  const stage = stageOf(ctx);
  return dwellFor(ctx, stage.weights, ctx.op.options.dwellSeconds, async () => {
    const { short } = await shortOfStage(ctx, stage);
    if (short.length > 0) await fallBackFromStage(ctx, stage, short);
  });
};
