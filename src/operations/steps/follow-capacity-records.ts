import type { ManagedGroup, RegionCode } from '../../core/fleet';
import { keyOfGroup } from '../../core/fleet';
import type { EvacuateIntent } from '../../core/intents';
import type { PacedCapacity } from '../../core/planner/capacity-pace';
import { pacedContexts } from '../../core/planner/capacity-pace';
import type { ServiceContext } from '../../core/planner/capacity-targets';
import type { FleetIndex } from '../../core/planner/fleet-index';
import { indexFleet } from '../../core/planner/fleet-index';
import type { Plan } from '../../core/planner/plan-types';
import { planContextOf } from '../deps';
import type { CapacityProgress } from '../operation-types';
import type { StepContext } from './step-context';
import { planOf } from './step-context';

/**
 * What the capacity-following step records of each name as it goes (follow-capacity.ts),
 * and what can be read from those records: the weights in force, whether a name may move,
 * whether it is done. A record is never rewritten but to mark when it took effect and when
 * it was verified, so a resumed step goes on from the weights in force.
 */

/**
 * One change of one name's weights under capacity pacing: what was set, when it took effect,
 * and the capacity that justified it. A stage moves traffic off the failing region; a
 * fallback moves some back when the capacity in service dropped under the weights in force;
 * a rollback puts back the weights before a stage whose verify hook said no.
 */
export interface PacedStageRecord {
  name: string;
  /** The name's own change number, from 1 (fallbacks and rollbacks count too). */
  stage: number;
  /** Absent for a stage; a fallback or a rollback says so. */
  kind?: 'fallback' | 'rollback';
  setAt: string;
  /** When Route 53 had the change in sync: the stage took effect. */
  insyncAt?: string;
  /** When it passed verification, after the dwell (a fallback: when in sync, it moves nothing to verify). */
  verifiedAt?: string;
  changeIds: string[];
  weights: Record<RegionCode, number>;
  shares: Record<RegionCode, number>;
  /** The failing region's share of the name from this stage on. */
  failingShare: number;
  capacity: PacedCapacity[];
}

/** A fallback as the step records it: when, for which names, and the pins it put back. */
export interface PacedFallbackRecord {
  at: string;
  names: string[];
  repinned: Array<{ region: RegionCode; group: string; account?: string; minSize: number; desiredCapacity: number; maxSize: number }>;
}

export interface FollowDetail {
  stages: PacedStageRecord[];
  capacity?: CapacityProgress[];
  fallbacks?: PacedFallbackRecord[];
}

/** The id of the step that moves the headroom at once, before the prescale (its kind is follow-capacity too). */
export const HEADROOM_STEP_ID = 'follow-capacity/headroom';

/** Every change of weights the paced steps recorded so far, the headroom's first (none for an operation paced in stages). */
export function pacedStagesOf(steps: ReadonlyArray<{ kind: string; detail?: Record<string, unknown> }>): PacedStageRecord[] {
  return steps.filter((s) => s.kind === 'follow-capacity').flatMap((s) => (s.detail?.stages as PacedStageRecord[] | undefined) ?? []);
}

/** The fallbacks the paced steps recorded so far. */
export function pacedFallbacksOf(steps: ReadonlyArray<{ kind: string; detail?: Record<string, unknown> }>): PacedFallbackRecord[] {
  return steps.filter((s) => s.kind === 'follow-capacity').flatMap((s) => (s.detail?.fallbacks as PacedFallbackRecord[] | undefined) ?? []);
}

/** The weights the plan's last stage ends on, per name and region. */
export function finalWeightsOf(traffic: ReadonlyArray<{ name: string; region: RegionCode; weight: number }>): Map<string, Map<RegionCode, number>> {
  const out = new Map<string, Map<RegionCode, number>>();
  for (const t of traffic) {
    if (!out.has(t.name)) out.set(t.name, new Map());
    out.get(t.name)!.set(t.region, t.weight);
  }
  return out;
}

export function lastStageOf(stages: readonly PacedStageRecord[], name: string): PacedStageRecord | undefined {
  return stages.filter((s) => s.name === name).at(-1);
}

/** The name's change before `stage` (verified, since a name moves only once its last change is): what a rollback goes back to. */
export function previousOf(stages: readonly PacedStageRecord[], name: string, stage: number): PacedStageRecord | undefined {
  return stages.filter((s) => s.name === name && s.stage < stage).at(-1);
}

export function weightsInForce(stages: readonly PacedStageRecord[], name: string, initial: ReadonlyMap<RegionCode, number> | undefined): Map<RegionCode, number> {
  const last = lastStageOf(stages, name);
  return last ? new Map(Object.entries(last.weights)) : new Map(initial ?? []);
}

/** A name moves again once its last change took effect, dwelt and was verified. */
export function readyToMove(stages: readonly PacedStageRecord[], name: string, initial: ReadonlyMap<RegionCode, number> | undefined, failing: RegionCode): boolean {
  const last = lastStageOf(stages, name);
  if (last && !last.verifiedAt) return false;
  return (weightsInForce(stages, name, initial).get(failing) ?? 0) > 0;
}

export function finished(stages: readonly PacedStageRecord[], name: string, initial: ReadonlyMap<RegionCode, number> | undefined, failing: RegionCode): boolean {
  const last = lastStageOf(stages, name);
  return (!last || last.verifiedAt !== undefined) && (weightsInForce(stages, name, initial).get(failing) ?? 0) === 0;
}

export function sharesLeft(stages: readonly PacedStageRecord[], name: string, initial: ReadonlyMap<RegionCode, number> | undefined, failing: RegionCode): number {
  const weights = weightsInForce(stages, name, initial);
  const total = [...weights.values()].reduce((a, b) => a + b, 0);
  return total > 0 ? (weights.get(failing) ?? 0) / total : 0;
}

/** How long a name's stage dwells once in sync: the operation's dwellSeconds, LIFEBOAT_DWELL, or the name's longest TTL. */
export function dwellSecondsOf(ctx: StepContext, name: string): number {
  const explicit = ctx.op.options.dwellSeconds ?? ctx.settings.LIFEBOAT_DWELL;
  if (explicit !== undefined) return explicit;
  return Math.max(0, ...planOf(ctx).snapshot.records.filter((r) => r.name === name).map((r) => r.ttl ?? 0));
}

/** What the paced step works from, the same on every pass: the plan, the fleet as planned, the models per name. */
export interface Pacing {
  plan: Plan;
  failing: RegionCode;
  index: FleetIndex;
  contexts: Map<string, ServiceContext[]>;
  /** The survivors' groups of the services moved. */
  groups: ManagedGroup[];
  /** Each group's desired capacity after the prescale. */
  targets: Map<string, number>;
  finalWeights: Map<string, Map<RegionCode, number>>;
}

export function pacingOf(ctx: StepContext): Pacing {
  const { plan, snapshot } = planOf(ctx);
  const failing = plan.region!;
  const moved = new Set(plan.services.map((s) => s.service));
  return {
    plan,
    failing,
    index: indexFleet(snapshot),
    contexts: pacedContexts(snapshot, ctx.op.intent as EvacuateIntent, plan, planContextOf(ctx)),
    groups: snapshot.groups.filter((g) => moved.has(g.service) && g.region !== failing),
    targets: new Map(plan.groupChanges.map((c) => [keyOfGroup(c), c.to.desiredCapacity])),
    finalWeights: finalWeightsOf(plan.stages.at(-1)?.traffic ?? []),
  };
}
