import { accountOf, keyOfGroup } from '../../core/fleet';
import { nextPacedStage } from '../../core/planner/capacity-pace';
import { countInService } from '../../core/snapshot';
import type { CapacityProgress } from '../operation-types';
import type { InServiceReading } from './follow-capacity-fallback';
import { capacityTimedOut, capacityWaitSince, fallBackWhereShort } from './follow-capacity-fallback';
import type { FollowDetail, Pacing, PacedStageRecord } from './follow-capacity-records';
import { HEADROOM_STEP_ID, finished, pacedStagesOf, pacingOf, readyToMove, weightsInForce } from './follow-capacity-records';
import { resumeRollback, verifyDwelt } from './follow-capacity-verify';
import { setNameWeights, takeEffect, untilInSync } from './follow-capacity-weights';
import { readLive } from './group-sizes';
import type { StepContext, StepHandler, StepOutcome } from './step-context';
import { waitOrInterrupt } from './step-context';

/**
 * Capacity-following stages (core/planner/capacity-pace.ts), as one step that loops: read the
 * survivors' capacity in service, fall back where it dropped under the weights in force
 * (follow-capacity-fallback.ts), verify each stage that took effect and dwelt
 * (follow-capacity-verify.ts: the capacity recorded for it, and the verify hook), compute each
 * name's next stage, set the weights of the names ready to move (one batch), again until the
 * failing region has no traffic left on any name. Names advance independently. Every change
 * sets absolute weights and is recorded as it goes (follow-capacity-records.ts), so a resumed
 * step goes on from the weights in force. Capacity that does not come within the capacity
 * timeout ends it: after a fallback as a planned stage's fallback does, otherwise by the
 * operation's policy (abort, or partial: what moved stays).
 *
 * Before the prescale, the same step in one pass (HEADROOM_STEP_ID) moves what the capacity
 * in service as the guard read it serves and waits only until Route 53 has it in sync: users
 * get relief before the prescale's writes (slow under Auto Scaling's quotas) go out.
 */
export const followCapacity: StepHandler = async (ctx) => {
  const pacing = pacingOf(ctx);
  const { plan, index, failing } = pacing;
  const detail = (ctx.step.detail ??= { stages: [] }) as unknown as FollowDetail;
  detail.stages ??= [];
  const capacityTimeoutMs = (ctx.op.options.capacityTimeoutSeconds ?? ctx.settings.LIFEBOAT_CAPACITY_TIMEOUT) * 1000;
  const pollMs = Math.min(ctx.settings.LIFEBOAT_CAPACITY_POLL_MS, ctx.settings.LIFEBOAT_DNS_POLL_MS);
  const startedAt = new Date(ctx.step.startedAt ?? ctx.clock.now()).getTime();
  const headroomOnly = ctx.step.id === HEADROOM_STEP_ID;
  await resumeRollback(ctx, pacedStagesOf(ctx.op.checkpoint.steps));

  for (;;) {
    // Every change so far (the headroom step's too), as records this step may update.
    let stages = pacedStagesOf(ctx.op.checkpoint.steps);
    // The headroom pass judges by the capacity in service the guard has just read (the contexts' own figures).
    const reading: InServiceReading = headroomOnly ? { inService: new Map(), live: new Map() } : await readInService(ctx, pacing, detail);
    if (!headroomOnly) {
      await takeEffect(ctx, stages);
      const fellBack = await fallBackWhereShort(ctx, pacing, stages, detail, reading);
      if (fellBack.length > 0) stages = pacedStagesOf(ctx.op.checkpoint.steps);
      await verifyDwelt(ctx, pacing, stages, detail.stages);
    }
    const ready = plan.names.filter((name) => readyToMove(stages, name, index.weightsOf.get(name), failing));
    const next = ready.map((name) =>
      nextPacedStage({
        name,
        failing,
        before: index.sharesOf.get(name) ?? new Map(),
        weightsNow: weightsInForce(stages, name, index.weightsOf.get(name)),
        finalWeights: pacing.finalWeights.get(name) ?? weightsInForce(stages, name, index.weightsOf.get(name)),
        services: pacing.contexts.get(name) ?? [],
        inService: reading.inService,
      }),
    );
    const moving = next.filter((s) => s.changes);
    if (moving.length > 0) await setNameWeights(ctx, index, moving, { all: stages, own: detail.stages }, failing);
    await ctx.save();
    if (headroomOnly) return headroomInSync(ctx, detail, moving.length);

    const left = plan.names.filter((name) => !finished(stages, name, index.weightsOf.get(name), failing));
    if (left.length === 0) return finishedOutcome(stages, detail);
    const waitingOnCapacity = left.filter((name) => ready.includes(name) && !moving.some((m) => m.name === name));
    if (waitingOnCapacity.length === left.length && ctx.clock.now().getTime() - capacityWaitSince(ctx, startedAt) >= capacityTimeoutMs) {
      return capacityTimedOut(ctx, pacing, detail, stages, left, reading.inService, capacityTimeoutMs);
    }
    await waitOrInterrupt(ctx, pollMs);
  }
};

/**
 * The headroom's stages take effect before the prescale starts: relief is when Route 53 has
 * them in sync, and only a wait here sees when that is (the loop after the prescale would
 * see it only once the prescale's writes are done).
 */
async function headroomInSync(ctx: StepContext, detail: FollowDetail, moved: number): Promise<StepOutcome> {
  await untilInSync(ctx, detail.stages);
  return { outcome: `${moved} name(s) moved what the capacity already in service serves, in sync`, detail: detail as unknown as Record<string, unknown> };
}

/** Instances in service per service, in each context's region order (the failing region is not read: it keeps the snapshot's figure). */
async function readInService(ctx: StepContext, pacing: Pacing, detail: FollowDetail): Promise<InServiceReading> {
  const { groups, targets, contexts } = pacing;
  const live = await readLive(ctx, groups.map((g) => ({ ...accountOf(g), region: g.region, group: g.name })));
  const progress: CapacityProgress[] = groups.map((g) => ({
    ...accountOf(g),
    region: g.region,
    group: g.name,
    service: g.service,
    inService: countInService(live.get(keyOfGroup(g))?.instances ?? []),
    target: targets.get(keyOfGroup(g)) ?? live.get(keyOfGroup(g))?.desiredCapacity ?? g.desiredCapacity,
  }));
  detail.capacity = progress;
  await ctx.report({ step: ctx.step.id, message: `${progress.reduce((a, p) => a + p.inService, 0)} instance(s) in service on the survivors`, capacity: progress });
  const inService = new Map<string, number[]>();
  for (const c of [...contexts.values()].flat()) {
    inService.set(
      c.service,
      c.inputs.regions.map((r, i) => {
        const mine = progress.filter((p) => p.service === c.service && p.region === r);
        return mine.length > 0 ? mine.reduce((a, p) => a + p.inService, 0) : c.inputs.inService[i]!;
      }),
    );
  }
  return { inService, live };
}

function finishedOutcome(stages: readonly PacedStageRecord[], detail: FollowDetail): StepOutcome {
  const moves = stages.filter((s) => s.kind === undefined);
  const names = new Set(moves.map((s) => s.name)).size;
  const fellBack = stages.filter((s) => s.kind === 'fallback').length;
  return {
    outcome: `${names} name(s) moved in ${moves.length} paced stage(s), each within the capacity in service${fellBack ? ` (${fellBack} fallback(s) to what the capacity in service served, moved again as it came back)` : ''}`,
    detail: detail as unknown as Record<string, unknown>,
  };
}
