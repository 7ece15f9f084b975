import { LifeboatError } from '../../core/errors';
import type { AutoScalingGroupReading } from '../../core/fleet';
import { accountOf, keyOfGroup } from '../../core/fleet';
import type { EvacuateIntent, ShiftIntent } from '../../core/intents';
import { planWithinObtainedCapacity } from '../../core/planner/partial-plan';
import type { Plan, Stage, WeightChange } from '../../core/planner/plan-types';
import { countInService } from '../../core/snapshot';
import type { GroupSizeUpdate } from '../../cloud/ports';
import { planContextOf } from '../deps';
import type { ServedRegion } from '../operation-types';
import { readLive, writeSizes } from './group-sizes';
import type { ShortRegion } from './stage-capacity';
import { describeShort } from './stage-capacity';
import { awaitInSync, setAndVerifyWeights } from './stage-weights';
import type { StepContext } from './step-context';
import { planOf } from './step-context';

/**
 * A stage whose regions no longer run what its shares need (a survivor lowered under
 * lifeboat, instances lost or impaired): put back the pins that were undone, then set the
 * weights the capacity in service now can serve — the same re-planning as a partial move
 * after a capacity timeout, capped at what this stage had moved — and stop. Never simply the
 * previous stage's weights: those may load a survivor past what it now runs. The failure
 * lists, per service and region, what is served and what is not.
 */
export async function fallBackFromStage(ctx: StepContext, stage: Stage, short: readonly ShortRegion[]): Promise<never> {
  const { plan, snapshot } = planOf(ctx);
  const intent = ctx.op.intent;
  if (intent.kind !== 'evacuate' && intent.kind !== 'shift') return rollBackToPreviousStage(ctx, stage, describeShort(short), { short });

  const moved = new Set(plan.services.map((s) => s.service));
  const groups = snapshot.groups.filter((g) => moved.has(g.service)).map((g) => ({ ...accountOf(g), region: g.region, group: g.name, service: g.service }));
  const live = await readLive(ctx, groups);
  // What serves now, before any pin put back brings more: new instances take minutes to serve.
  const obtained = groups.map((g) => ({ ...g, inService: countInService(live.get(keyOfGroup(g))?.instances ?? []) }));
  const repinned = await repin(ctx, live);

  const servable = planWithinObtainedCapacity(snapshot, movedSoFar(intent, plan.region!, stage.percent), obtained, planContextOf(ctx));
  const changes = fallbackWeights(plan, stage, servable);
  if (changes.length > 0) {
    const set = await setAndVerifyWeights(ctx, changes);
    await awaitInSync(ctx, (set.detail?.changeIds as string[]) ?? []);
    recordWeightChange(ctx, 'fallback', changes);
  }
  const served = servedRegions(servable, obtained);
  const unplaced = servable.blockers
    .filter((b) => b.code === 'LB_ERR_SHORTFALL' && typeof b.details?.unplaced === 'number')
    .map((b) => ({ name: String(b.details!.name), share: b.details!.unplaced as number }));
  ctx.op.checkpoint.fallback = { stage: stage.index, repinned, served, unplaced, weights: changes.map((c) => ({ name: c.name, region: c.region, weight: c.to })) };
  throw new LifeboatError(
    'LB_ERR_VERIFICATION_FAILED',
    `stage ${stage.index} failed verification: ${describeShort(short)}; ${repinned.length ? `${repinned.length} pin(s) put back, ` : ''}weights set to what the capacity in service serves${unplaced.length ? ` (${unplaced.map((u) => `${(u.share * 100).toFixed(1)}% of ${u.name}`).join(', ')} stays on ${plan.region})` : ''}`,
    { stage: stage.index, short, repinned, served, unplaced, rolledBackTo: 'servable' },
  );
}

/** The move as far as this stage took it: a shift of that part of the region's traffic, to the same recipients, in one stage. */
function movedSoFar(intent: EvacuateIntent | ShiftIntent, from: string, stagePercent: number): ShiftIntent {
  const fraction = ((intent.kind === 'evacuate' ? 100 : intent.percent) * stagePercent) / 100;
  const { kind: _kind, distribution: _distribution, ...options } = intent;
  const { region: _region, ...shared } = options as typeof options & { region?: string };
  return { ...shared, kind: 'shift', from, percent: fraction, stages: 1 };
}

/** The stage's weights back to the previous stage's: a check other than capacity (the verify hook) said no. */
export async function rollBackToPreviousStage(ctx: StepContext, stage: Stage, why: string, details: Record<string, unknown>): Promise<never> {
  const { plan } = planOf(ctx);
  const previous = plan.stages.find((s) => s.index === stage.index - 1);
  const back = stage.weights.map((w) => ({ ...w, to: previous?.traffic.find((t) => t.name === w.name && t.region === w.region)?.weight ?? w.from }));
  const undone = await setAndVerifyWeights(ctx, back);
  await awaitInSync(ctx, (undone.detail?.changeIds as string[]) ?? []);
  recordWeightChange(ctx, 'rollback', back);
  throw new LifeboatError('LB_ERR_VERIFICATION_FAILED', `stage ${stage.index} failed verification: ${why}; its weights were rolled back to stage ${stage.index - 1}'s`, {
    stage: stage.index,
    ...details,
    rolledBackTo: stage.index - 1,
  });
}

/** Weights set outside a stage's own steps, now in sync: the relief timeline counts them (checkpoint.weightChanges). */
export function recordWeightChange(ctx: StepContext, why: 'fallback' | 'rollback', changes: ReadonlyArray<{ name: string; region: string; to: number }>): void {
  const weights = changes.map((c) => ({ name: c.name, region: c.region, weight: c.to }));
  (ctx.op.checkpoint.weightChanges ??= []).push({ at: ctx.clock.now().toISOString(), why, weights });
}

/** Pinned groups whose MinSize or DesiredCapacity went below the pin (a scheduled action, a person): set back to the pin. */
export async function repin(ctx: StepContext, live: ReadonlyMap<string, AutoScalingGroupReading>): Promise<GroupSizeUpdate[]> {
  const pins = (ctx.op.checkpoint.steps.find((s) => s.kind === 'prescale')?.detail?.updates as GroupSizeUpdate[] | undefined) ?? [];
  const undone = pins.filter((p) => {
    const g = live.get(keyOfGroup(p));
    return g && (g.minSize < p.minSize || g.desiredCapacity < p.desiredCapacity);
  });
  const updates = undone.map((p) => {
    const g = live.get(keyOfGroup(p))!;
    return { ...p, maxSize: Math.max(p.maxSize, g.maxSize) };
  });
  await writeSizes(ctx, updates);
  return updates;
}

/**
 * The weights to set: for every record the plan has moved so far, the servable plan's weight
 * for its region when it moves that name, or the weight it started from when it cannot.
 */
function fallbackWeights(plan: Plan, stage: Stage, servable: Plan): Array<Pick<WeightChange, 'zoneId' | 'name' | 'type' | 'setIdentifier' | 'region' | 'to'>> {
  const last = servable.stages[servable.stages.length - 1];
  const target = new Map((last?.traffic ?? []).map((t) => [`${t.name}\u0000${t.region}`, t.weight]));
  const moved = new Map<string, WeightChange>();
  for (const s of plan.stages.filter((s) => s.index <= stage.index)) {
    for (const w of s.weights) {
      const key = `${w.zoneId}\u0000${w.name}\u0000${w.type}\u0000${w.setIdentifier}`;
      // The first change of a record holds the weight it started from.
      if (!moved.has(key)) moved.set(key, w);
    }
  }
  return [...moved.values()].map((w) => ({ zoneId: w.zoneId, name: w.name, type: w.type, setIdentifier: w.setIdentifier, region: w.region, to: target.get(`${w.name}\u0000${w.region}`) ?? w.from }));
}

/** Per service and region, in the servable plan's last stage: the share it gets, what runs in service, and whether that serves it. */
function servedRegions(servable: Plan, obtained: ReadonlyArray<{ service: string; region: string; inService: number }>): ServedRegion[] {
  const last = servable.stages[servable.stages.length - 1];
  const inService = new Map<string, number>();
  for (const o of obtained) inService.set(`${o.service}\u0000${o.region}`, (inService.get(`${o.service}\u0000${o.region}`) ?? 0) + o.inService);
  return (last?.load ?? [])
    .filter((l) => l.share > 0)
    .map((l) => {
      const n = inService.get(`${l.service}\u0000${l.region}`) ?? 0;
      return { service: l.service, region: l.region, share: l.share, inService: n, needed: l.needed, served: l.needed <= n };
    });
}
