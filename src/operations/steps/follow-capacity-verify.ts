import { LifeboatError } from '../../core/errors';
import type { RegionCode } from '../../core/fleet';
import { overCapacity } from '../../core/planner/capacity-pace';
import { sharesFromWeights } from '../../core/snapshot';
import type { Pacing, PacedStageRecord } from './follow-capacity-records';
import { dwellSecondsOf, lastStageOf, previousOf } from './follow-capacity-records';
import { setNameWeights, untilInSync } from './follow-capacity-weights';
import type { StepContext } from './step-context';
import { askVerifyHook } from './verify';

/**
 * A paced stage is verified once it took effect and dwelt (the operation's dwellSeconds,
 * LIFEBOAT_DWELL, or the records' TTL), as a planned stage is: its shares must be within the
 * capacity recorded for it (a drop in the capacity in service since is the fallback's to
 * handle, at every poll), and the verify hook, if configured, must agree. The hook says no:
 * the name's weights go back to its change before (or to the weights before the operation),
 * in sync, and the operation fails, as a planned stage's does.
 */
export async function verifyDwelt(ctx: StepContext, pacing: Pacing, stages: readonly PacedStageRecord[], own: PacedStageRecord[]): Promise<void> {
  const now = ctx.clock.now();
  for (const s of stages.filter((x) => x.insyncAt && !x.verifiedAt && x.kind === undefined)) {
    // A stage a fallback replaced is not the weights in force: nothing to verify.
    if (lastStageOf(stages, s.name) !== s) continue;
    if (now.getTime() < new Date(s.insyncAt!).getTime() + dwellSecondsOf(ctx, s.name) * 1000) continue;
    const services = pacing.contexts.get(s.name) ?? [];
    const recorded = new Map<RegionCode, number>();
    for (const c of s.capacity) recorded.set(c.region, Math.min(recorded.get(c.region) ?? 1, c.servable));
    const over = services.length > 0 ? overCapacity(new Map(Object.entries(s.shares)), pacing.index.sharesOf.get(s.name) ?? new Map(), recorded, pacing.failing) : [];
    if (over.length > 0) {
      throw new LifeboatError(
        'LB_ERR_VERIFICATION_FAILED',
        `paced stage ${s.stage} of ${s.name} failed verification: ${over.map((o) => `${o.region} carries ${(o.share * 100).toFixed(1)}% but the capacity recorded for the stage serves ${(o.servable * 100).toFixed(1)}%`).join('; ')}; the weights stay as they are: check them in Route 53, then restore or evacuate again`,
        { name: s.name, stage: s.stage, over, against: 'capacity recorded', rolledBackTo: 'none', pace: 'capacity' },
      );
    }
    const no = await askVerifyHook(ctx, hookBody(ctx, pacing, s));
    if (no) await rollBack(ctx, pacing, stages, own, s, no);
    s.verifiedAt = ctx.clock.now().toISOString();
  }
}

/** What the verify hook is POSTed for a paced stage: the planned stage's fields, for one name. */
function hookBody(ctx: StepContext, pacing: Pacing, s: PacedStageRecord): Record<string, unknown> {
  const initial = pacing.index.sharesOf.get(s.name)?.get(pacing.failing) ?? 0;
  const records = pacing.index.recordsOf.get(s.name) ?? [];
  return {
    operationId: ctx.op.id,
    kind: ctx.op.kind,
    region: pacing.failing,
    pace: 'capacity',
    name: s.name,
    stage: s.stage,
    // How far this name's move has come, as a planned stage's percent.
    percent: initial > 0 ? Math.round(((initial - s.failingShare) / initial) * 1000) / 10 : 100,
    traffic: Object.entries(s.weights)
      .filter(([region]) => records.some((r) => r.region === region))
      .map(([region, weight]) => ({ name: s.name, region, weight, share: s.shares[region] ?? 0 })),
    capacity: s.capacity,
  };
}

/** The stage's weights back to the name's change before it (or the weights before the operation), in sync; then the operation fails. */
async function rollBack(ctx: StepContext, pacing: Pacing, stages: readonly PacedStageRecord[], own: PacedStageRecord[], s: PacedStageRecord, why: string): Promise<never> {
  const previous = previousOf(stages, s.name, s.stage);
  const weights = previous ? new Map(Object.entries(previous.weights)) : new Map(pacing.index.weightsOf.get(s.name) ?? []);
  const [record] = await setNameWeights(ctx, pacing.index, [{ name: s.name, weights, shares: sharesFromWeights(weights), capacity: previous?.capacity ?? [] }], { all: stages, own }, pacing.failing, 'rollback');
  await untilInSync(ctx, [record!]);
  return failRolledBack(s, previous?.stage ?? 0, why);
}

/**
 * A step resumed after it rolled a stage back (the worker stopped before the failure was
 * recorded): the rollback is waited for in sync and the same failure raised again.
 */
export async function resumeRollback(ctx: StepContext, stages: readonly PacedStageRecord[]): Promise<void> {
  const rollback = stages.find((s) => s.kind === 'rollback');
  if (!rollback) return;
  await untilInSync(ctx, [rollback]);
  const failed = previousOf(stages, rollback.name, rollback.stage) ?? rollback;
  failRolledBack(failed, previousOf(stages, rollback.name, failed.stage)?.stage ?? 0, 'the verify hook said no (resumed after the rollback)');
}

function failRolledBack(s: PacedStageRecord, to: number, why: string): never {
  throw new LifeboatError(
    'LB_ERR_VERIFICATION_FAILED',
    `paced stage ${s.stage} of ${s.name} failed verification: ${why}; its weights were rolled back to ${to ? `its paced stage ${to}'s` : 'those before the operation'}: fix what the hook saw, then evacuate again`,
    { name: s.name, stage: s.stage, hook: why, rolledBackTo: to, pace: 'capacity' },
  );
}
