import { LifeboatError } from '../../core/errors';
import type { AutoScalingGroupReading } from '../../core/fleet';
import { keyOfGroup } from '../../core/fleet';
import { pacedFallback, servedOfName } from '../../core/planner/capacity-pace';
import { sharesFromWeights } from '../../core/snapshot';
import type { FollowDetail, Pacing, PacedStageRecord } from './follow-capacity-records';
import { pacedFallbacksOf, sharesLeft, weightsInForce } from './follow-capacity-records';
import { setNameWeights } from './follow-capacity-weights';
import { repin } from './stage-fallback';
import type { StepContext, StepOutcome } from './step-context';

/**
 * When capacity falls short under the paced stages: in service dropped under the weights in
 * force (a survivor lowered, instances lost or impaired), or did not come in time.
 */

/** What one poll read of the survivors: instances in service per service (in its context's region order), and the groups as read. */
export interface InServiceReading {
  inService: Map<string, number[]>;
  live: Map<string, AutoScalingGroupReading>;
}

/**
 * Every name whose weights in force put a survivor over max(its share before, what its
 * instances in service serve) falls back, as a planned stage does: the pins that were undone
 * are put back, and the weights set to what the capacity in service serves (the failing
 * region takes back the rest), in one batch. The step then goes on following the capacity:
 * as the pins bring instances back, the names move again. Returns the names that fell back.
 */
export async function fallBackWhereShort(ctx: StepContext, pacing: Pacing, stages: readonly PacedStageRecord[], detail: FollowDetail, reading: InServiceReading): Promise<string[]> {
  const { index, failing } = pacing;
  const fallbacks = pacing.plan.names
    .filter((name) => stages.some((s) => s.name === name))
    .flatMap((name) => {
      const step = pacedFallback({
        name,
        failing,
        before: index.sharesOf.get(name) ?? new Map(),
        weightsNow: weightsInForce(stages, name, index.weightsOf.get(name)),
        services: pacing.contexts.get(name) ?? [],
        inService: reading.inService,
      });
      return step ? [step] : [];
    });
  if (fallbacks.length === 0) return [];
  const stuck = fallbacks.filter((f) => !f.changes);
  if (stuck.length > 0) {
    throw new LifeboatError(
      'LB_ERR_VERIFICATION_FAILED',
      `the capacity in service dropped under ${stuck.map((f) => f.name).join(', ')} and no weights keep every survivor within it (${failing} has no record to take the rest); the weights stay as they are: raise the survivors' capacity or restore`,
      { names: stuck.map((f) => f.name), rolledBackTo: 'none', pace: 'capacity' },
    );
  }
  const names = fallbacks.map((f) => f.name);
  const repinned = await repin(ctx, reading.live);
  await setNameWeights(ctx, index, fallbacks, { all: stages, own: detail.stages }, failing, 'fallback');
  (detail.fallbacks ??= []).push({ at: ctx.clock.now().toISOString(), names, repinned });
  await ctx.report({ step: ctx.step.id, message: `capacity in service dropped under ${names.join(', ')}: ${repinned.length} pin(s) put back, weights set to what it serves` });
  await ctx.save();
  return names;
}

/** When the capacity timeout counts from: the step's start, or its last fallback (the pins it put back need their launch time too). */
export function capacityWaitSince(ctx: StepContext, startedAt: number): number {
  const last = pacedFallbacksOf(ctx.op.checkpoint.steps).at(-1);
  return Math.max(startedAt, last ? Date.parse(last.at) : 0);
}

/**
 * Capacity did not come in time for what is left. After a fallback the operation fails as a
 * planned stage's fallback does: the weights stay where the capacity in service serves them,
 * and the result says, per service and region, what is served and what stays. Otherwise by
 * the operation's policy: abort (what moved stays), or end as a partial evacuation.
 */
export function capacityTimedOut(ctx: StepContext, pacing: Pacing, detail: FollowDetail, stages: readonly PacedStageRecord[], left: string[], inService: Map<string, number[]>, timeoutMs: number): StepOutcome {
  const { op, settings } = ctx;
  const { failing, index, targets } = pacing;
  const unplaced = left.map((name) => ({ name, share: sharesLeft(stages, name, index.weightsOf.get(name), failing) }));
  const described = `${unplaced.map((u) => `${(u.share * 100).toFixed(1)}% of ${u.name}`).join(', ')} still on ${failing}`;
  const seconds = Math.round(timeoutMs / 1000);
  const fallbacks = pacedFallbacksOf(op.checkpoint.steps);
  if (fallbacks.length > 0) {
    const repinned = fallbacks.flatMap((f) => f.repinned);
    const fellBack = [...new Set(fallbacks.flatMap((f) => f.names))];
    const weightsOf = (name: string) => weightsInForce(stages, name, index.weightsOf.get(name));
    const served = pacing.plan.names.flatMap((name) => servedOfName({ services: pacing.contexts.get(name) ?? [], inService, failing, shares: sharesFromWeights(weightsOf(name)) }));
    op.checkpoint.fallback = {
      stage: Math.max(...stages.filter((s) => s.kind === 'fallback').map((s) => s.stage)),
      repinned,
      served,
      unplaced,
      weights: fellBack.flatMap((name) => [...weightsOf(name)].map(([region, weight]) => ({ name, region, weight }))),
    };
    throw new LifeboatError(
      'LB_ERR_VERIFICATION_FAILED',
      `the capacity in service dropped under ${fellBack.join(', ')} during its paced stages: ${repinned.length} pin(s) put back and the weights set to what it serves, and it did not come back within ${seconds} s: ${described}; raise the survivors' capacity, then evacuate again to move the rest`,
      { names: fellBack, repinned, served, unplaced, rolledBackTo: 'servable', pace: 'capacity' },
    );
  }
  const shortfall = (detail.capacity ?? [])
    .filter((p) => p.inService < (targets.get(keyOfGroup(p)) ?? 0))
    .map((p) => ({ service: p.service, region: p.region, target: targets.get(keyOfGroup(p))!, obtained: p.inService }));
  const policy = op.options.onCapacityTimeout ?? settings.LIFEBOAT_ON_CAPACITY_TIMEOUT;
  if (policy === 'abort') {
    throw new LifeboatError('LB_ERR_CAPACITY_TIMEOUT', `capacity not in service after ${seconds} s: ${described}; what moved so far stays`, {
      unplaced,
      shortfall,
      groups: pacing.groups.length,
    });
  }
  op.checkpoint.partial = { shortfall, unplaced };
  return { outcome: `timed out after ${seconds} s waiting for capacity: ${described}`, detail: detail as unknown as Record<string, unknown> };
}
