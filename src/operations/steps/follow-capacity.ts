import { LifeboatError } from '../../core/errors';
import type { ManagedGroup, RegionCode } from '../../core/fleet';
import { accountOf, keyOfGroup, recordKey } from '../../core/fleet';
import type { EvacuateIntent } from '../../core/intents';
import type { PacedCapacity } from '../../core/planner/capacity-pace';
import { nextPacedStage, overCapacity, pacedContexts, servableOfName } from '../../core/planner/capacity-pace';
import type { ServiceContext } from '../../core/planner/capacity-targets';
import { indexFleet } from '../../core/planner/fleet-index';
import type { WeightChange } from '../../core/planner/plan-types';
import { countInService } from '../../core/snapshot';
import { planContextOf } from '../deps';
import type { CapacityProgress } from '../operation-types';
import { readLive } from './group-sizes';
import { setAndVerifyWeights } from './stage-weights';
import type { StepContext, StepHandler, StepOutcome } from './step-context';
import { planOf, waitOrInterrupt } from './step-context';

/** One stage of one name under capacity pacing, as the step records it: what was set, when it took effect, and the capacity that justified it. */
export interface PacedStageRecord {
  name: string;
  /** The name's own stage number, from 1. */
  stage: number;
  setAt: string;
  /** When Route 53 had the change in sync: the stage took effect. */
  insyncAt?: string;
  /** When it passed verification, after the dwell. */
  verifiedAt?: string;
  changeIds: string[];
  weights: Record<RegionCode, number>;
  shares: Record<RegionCode, number>;
  /** The failing region's share of the name from this stage on. */
  failingShare: number;
  capacity: PacedCapacity[];
}

interface FollowDetail {
  stages: PacedStageRecord[];
  capacity?: CapacityProgress[];
}

/** The id of the step that moves the headroom at once, before the prescale (its kind is follow-capacity too). */
export const HEADROOM_STEP_ID = 'follow-capacity/headroom';

/** The paced stages an operation recorded so far, the headroom's first (none for an operation paced in stages). */
export function pacedStagesOf(steps: ReadonlyArray<{ kind: string; detail?: Record<string, unknown> }>): PacedStageRecord[] {
  return steps.filter((s) => s.kind === 'follow-capacity').flatMap((s) => (s.detail?.stages as PacedStageRecord[] | undefined) ?? []);
}

/**
 * Capacity-following stages (core/planner/capacity-pace.ts), as one step that loops: read the
 * survivors' capacity in service, compute each name's next stage, set the weights of the
 * names ready to move (one batch), wait until Route 53 is in sync and the dwell is over,
 * verify each stage against the capacity recorded for it and the capacity now, again until
 * the failing region has no traffic left on any name. Names advance independently. Every
 * stage sets absolute weights and is recorded as it goes, so a resumed step goes on from
 * the weights in force. Capacity that does not come within the capacity timeout ends it by
 * the operation's policy (abort, or partial: what moved stays).
 *
 * Before the prescale, the same step in one pass (HEADROOM_STEP_ID) moves what the capacity
 * in service as the guard read it serves and waits only until Route 53 has it in sync: users
 * get relief before the prescale's writes (slow under Auto Scaling's quotas) go out.
 */
export const followCapacity: StepHandler = async (ctx) => {
  const { op, settings } = ctx;
  const { plan, snapshot } = planOf(ctx);
  const failing = plan.region!;
  const detail = (ctx.step.detail ??= { stages: [] }) as unknown as FollowDetail;
  detail.stages ??= [];
  const index = indexFleet(snapshot);
  const contexts = pacedContexts(snapshot, op.intent as EvacuateIntent, plan, planContextOf(ctx));
  const moved = new Set(plan.services.map((s) => s.service));
  const groups = snapshot.groups.filter((g) => moved.has(g.service) && g.region !== failing);
  const targets = new Map(plan.groupChanges.map((c) => [keyOfGroup(c), c.to.desiredCapacity]));
  const finalWeights = finalWeightsOf(plan.stages.at(-1)?.traffic ?? []);
  const capacityTimeoutMs = (op.options.capacityTimeoutSeconds ?? settings.LIFEBOAT_CAPACITY_TIMEOUT) * 1000;
  const pollMs = Math.min(settings.LIFEBOAT_CAPACITY_POLL_MS, settings.LIFEBOAT_DNS_POLL_MS);
  const startedAt = new Date(ctx.step.startedAt ?? ctx.clock.now()).getTime();
  const headroomOnly = ctx.step.id === HEADROOM_STEP_ID;

  for (;;) {
    // Every stage so far (the headroom step's too), as records this step may update.
    const stages = pacedStagesOf(ctx.op.checkpoint.steps);
    // The headroom pass judges by the capacity in service the guard has just read (the contexts' own figures).
    const inService = headroomOnly ? new Map<string, number[]>() : await readInService(ctx, groups, contexts, targets, detail);
    if (!headroomOnly) {
      await takeEffect(ctx, stages);
      verifyDwelt(ctx, stages, contexts, inService, index.sharesOf, failing);
    }
    const ready = plan.names.filter((name) => readyToMove(stages, name, index.weightsOf.get(name), failing));
    const next = ready.map((name) =>
      nextPacedStage({
        name,
        failing,
        before: index.sharesOf.get(name) ?? new Map(),
        weightsNow: weightsInForce(stages, name, index.weightsOf.get(name)),
        finalWeights: finalWeights.get(name) ?? weightsInForce(stages, name, index.weightsOf.get(name)),
        services: contexts.get(name) ?? [],
        inService,
      }),
    );
    const moving = next.filter((s) => s.changes);
    if (moving.length > 0) await setStages(ctx, moving, stages, detail.stages, index.recordsOf, failing);
    await ctx.save();
    if (headroomOnly) return headroomInSync(ctx, detail, moving.length);

    const left = plan.names.filter((name) => !finished(stages, name, index.weightsOf.get(name), failing));
    if (left.length === 0) return finishedOutcome(stages, detail);
    const waitingOnCapacity = left.filter((name) => ready.includes(name) && !moving.some((m) => m.name === name));
    if (waitingOnCapacity.length === left.length && ctx.clock.now().getTime() - startedAt >= capacityTimeoutMs) {
      return capacityTimedOut(ctx, detail, stages, left, groups, targets, capacityTimeoutMs);
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
  while (detail.stages.some((s) => !s.insyncAt)) {
    await takeEffect(ctx, detail.stages);
    await ctx.save();
    if (detail.stages.some((s) => !s.insyncAt)) await waitOrInterrupt(ctx, ctx.settings.LIFEBOAT_DNS_POLL_MS);
  }
  return { outcome: `${moved} name(s) moved what the capacity already in service serves, in sync`, detail: detail as unknown as Record<string, unknown> };
}

function finalWeightsOf(traffic: ReadonlyArray<{ name: string; region: RegionCode; weight: number }>): Map<string, Map<RegionCode, number>> {
  const out = new Map<string, Map<RegionCode, number>>();
  for (const t of traffic) {
    if (!out.has(t.name)) out.set(t.name, new Map());
    out.get(t.name)!.set(t.region, t.weight);
  }
  return out;
}

function lastStageOf(stages: readonly PacedStageRecord[], name: string): PacedStageRecord | undefined {
  return stages.filter((s) => s.name === name).at(-1);
}

function weightsInForce(stages: readonly PacedStageRecord[], name: string, initial: ReadonlyMap<RegionCode, number> | undefined): Map<RegionCode, number> {
  const last = lastStageOf(stages, name);
  return last ? new Map(Object.entries(last.weights)) : new Map(initial ?? []);
}

/** A name moves again once its last stage took effect, dwelt and was verified. */
function readyToMove(stages: readonly PacedStageRecord[], name: string, initial: ReadonlyMap<RegionCode, number> | undefined, failing: RegionCode): boolean {
  const last = lastStageOf(stages, name);
  if (last && !last.verifiedAt) return false;
  return (weightsInForce(stages, name, initial).get(failing) ?? 0) > 0;
}

function finished(stages: readonly PacedStageRecord[], name: string, initial: ReadonlyMap<RegionCode, number> | undefined, failing: RegionCode): boolean {
  const last = lastStageOf(stages, name);
  return (!last || last.verifiedAt !== undefined) && (weightsInForce(stages, name, initial).get(failing) ?? 0) === 0;
}

/** Instances in service per service, in each context's region order (the failing region is not read: it keeps the snapshot's figure). */
async function readInService(ctx: StepContext, groups: readonly ManagedGroup[], contexts: Map<string, ServiceContext[]>, targets: Map<string, number>, detail: FollowDetail): Promise<Map<string, number[]>> {
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
  const out = new Map<string, number[]>();
  for (const c of [...contexts.values()].flat()) {
    out.set(
      c.service,
      c.inputs.regions.map((r, i) => {
        const mine = progress.filter((p) => p.service === c.service && p.region === r);
        return mine.length > 0 ? mine.reduce((a, p) => a + p.inService, 0) : c.inputs.inService[i]!;
      }),
    );
  }
  return out;
}

/** Stages still waiting for Route 53: in sync now takes effect; one past the DNS timeout fails the operation. */
async function takeEffect(ctx: StepContext, stages: PacedStageRecord[]): Promise<void> {
  const waiting = stages.filter((s) => !s.insyncAt);
  if (waiting.length === 0) return;
  const ids = [...new Set(waiting.flatMap((s) => s.changeIds))];
  const statuses = new Map(await Promise.all(ids.map(async (id) => [id, await ctx.cloud.changeStatus(id)] as const)));
  const now = ctx.clock.now();
  for (const s of waiting) {
    if (s.changeIds.every((id) => statuses.get(id) === 'INSYNC')) s.insyncAt = now.toISOString();
    else if (now.getTime() - new Date(s.setAt).getTime() > ctx.settings.LIFEBOAT_DNS_TIMEOUT * 1000) {
      const pending = s.changeIds.filter((id) => statuses.get(id) !== 'INSYNC');
      throw new LifeboatError('LB_ERR_DNS_TIMEOUT', `Route 53 changes ${pending.join(', ')} (${s.name}, paced stage ${s.stage}) not in sync after ${ctx.settings.LIFEBOAT_DNS_TIMEOUT} s`, { pending, name: s.name });
    }
  }
}

/**
 * After a stage took effect and dwelt (the operation's dwellSeconds, LIFEBOAT_DWELL, or the
 * records' TTL): its shares must be within the capacity recorded for it and within the
 * capacity in service now. Otherwise the operation fails, the weights as they are.
 */
function verifyDwelt(
  ctx: StepContext,
  stages: PacedStageRecord[],
  contexts: Map<string, ServiceContext[]>,
  inService: Map<string, number[]>,
  before: Map<string, Map<RegionCode, number>>,
  failing: RegionCode,
): void {
  const now = ctx.clock.now();
  for (const s of stages.filter((x) => x.insyncAt && !x.verifiedAt)) {
    const dwellMs = dwellSecondsOf(ctx, s.name) * 1000;
    if (now.getTime() < new Date(s.insyncAt!).getTime() + dwellMs) continue;
    const shares = new Map(Object.entries(s.shares));
    const was = before.get(s.name) ?? new Map<RegionCode, number>();
    const recorded = new Map<RegionCode, number>();
    for (const c of s.capacity) recorded.set(c.region, Math.min(recorded.get(c.region) ?? 1, c.servable));
    const services = contexts.get(s.name) ?? [];
    const current = services.length > 0 ? servableOfName({ services, inService, failing }).servable : undefined;
    const overRecorded = services.length > 0 ? overCapacity(shares, was, recorded, failing) : [];
    const overNow = current ? overCapacity(shares, was, current, failing) : [];
    if (overRecorded.length > 0 || overNow.length > 0) {
      const over = overNow.length > 0 ? overNow : overRecorded;
      throw new LifeboatError(
        'LB_ERR_VERIFICATION_FAILED',
        `paced stage ${s.stage} of ${s.name} failed verification: ${over.map((o) => `${o.region} carries ${(o.share * 100).toFixed(1)}% but its capacity in service serves ${(o.servable * 100).toFixed(1)}%`).join('; ')}; the weights stay as they are`,
        { name: s.name, stage: s.stage, over, against: overNow.length > 0 ? 'capacity now' : 'capacity recorded', rolledBackTo: 'none' },
      );
    }
    s.verifiedAt = now.toISOString();
  }
}

function dwellSecondsOf(ctx: StepContext, name: string): number {
  const explicit = ctx.op.options.dwellSeconds ?? ctx.settings.LIFEBOAT_DWELL;
  if (explicit !== undefined) return explicit;
  return Math.max(0, ...planOf(ctx).snapshot.records.filter((r) => r.name === name).map((r) => r.ttl ?? 0));
}

/** Set the weights of every name that moves now in one batch, and record each name's stage with the capacity that justified it. */
async function setStages(
  ctx: StepContext,
  moving: ReadonlyArray<ReturnType<typeof nextPacedStage>>,
  stages: readonly PacedStageRecord[],
  own: PacedStageRecord[],
  recordsOf: ReadonlyMap<string, ReadonlyArray<{ zoneId: string; name: string; type: string; region: RegionCode; setIdentifier: string }>>,
  failing: RegionCode,
): Promise<void> {
  const changes: Array<Pick<WeightChange, 'zoneId' | 'name' | 'type' | 'setIdentifier' | 'region' | 'to'>> = [];
  for (const m of moving) {
    for (const r of recordsOf.get(m.name) ?? []) {
      const to = m.weights.get(r.region);
      if (to !== undefined) changes.push({ zoneId: r.zoneId, name: r.name, type: r.type, setIdentifier: r.setIdentifier, region: r.region, to });
    }
  }
  // Records are keyed as the snapshot has them; one write per record even when a type repeats.
  const unique = [...new Map(changes.map((c) => [recordKey(c), c])).values()];
  const set = await setAndVerifyWeights(ctx, unique);
  const changeIds = (set.detail?.changeIds as string[] | undefined) ?? [];
  const at = ctx.clock.now().toISOString();
  for (const m of moving) {
    own.push({
      name: m.name,
      stage: stages.filter((s) => s.name === m.name).length + 1,
      setAt: at,
      changeIds,
      weights: Object.fromEntries(m.weights),
      shares: Object.fromEntries(m.shares),
      failingShare: m.shares.get(failing) ?? 0,
      capacity: m.capacity,
    });
  }
}

function finishedOutcome(stages: readonly PacedStageRecord[], detail: FollowDetail): StepOutcome {
  const names = new Set(stages.map((s) => s.name)).size;
  return { outcome: `${names} name(s) moved in ${stages.length} paced stage(s), each within the capacity in service`, detail: detail as unknown as Record<string, unknown> };
}

/** Capacity did not come in time for what is left: abort (what moved stays), or end as a partial evacuation. */
function capacityTimedOut(ctx: StepContext, detail: FollowDetail, stages: readonly PacedStageRecord[], left: string[], groups: readonly ManagedGroup[], targets: Map<string, number>, timeoutMs: number): StepOutcome {
  const { op, settings } = ctx;
  const { plan, snapshot } = planOf(ctx);
  const failing = plan.region!;
  const index = indexFleet(snapshot);
  const unplaced = left.map((name) => ({ name, share: sharesLeft(stages, name, index.weightsOf.get(name), failing) }));
  const shortfall = (detail.capacity ?? [])
    .filter((p) => p.inService < (targets.get(keyOfGroup(p)) ?? 0))
    .map((p) => ({ service: p.service, region: p.region, target: targets.get(keyOfGroup(p))!, obtained: p.inService }));
  const described = `${unplaced.map((u) => `${(u.share * 100).toFixed(1)}% of ${u.name}`).join(', ')} still on ${failing}`;
  const policy = op.options.onCapacityTimeout ?? settings.LIFEBOAT_ON_CAPACITY_TIMEOUT;
  if (policy === 'abort') {
    throw new LifeboatError('LB_ERR_CAPACITY_TIMEOUT', `capacity not in service after ${Math.round(timeoutMs / 1000)} s: ${described}; what moved so far stays`, {
      unplaced,
      shortfall,
      groups: groups.length,
    });
  }
  op.checkpoint.partial = { shortfall, unplaced };
  return { outcome: `timed out after ${Math.round(timeoutMs / 1000)} s waiting for capacity: ${described}`, detail: detail as unknown as Record<string, unknown> };
}

function sharesLeft(stages: readonly PacedStageRecord[], name: string, initial: ReadonlyMap<RegionCode, number> | undefined, failing: RegionCode): number {
  const weights = weightsInForce(stages, name, initial);
  const total = [...weights.values()].reduce((a, b) => a + b, 0);
  return total > 0 ? (weights.get(failing) ?? 0) / total : 0;
}
