import type { ManagedGroup, RegionCode } from '../fleet';
import { TAG_WARM_POOL, WARM_POOL_CREATED, accountOf, keyOfGroup } from '../fleet';
import type { PrepareDarkCapacityIntent, ReleaseDarkCapacityIntent } from '../intents';
import type { FleetIndex } from './fleet-index';
import { planMove } from './move-plan';
import type { PlanContext } from './plan-context';
import { emptyPlan } from './plan-context';
import type { Plan, WarmPoolChange, WarmPoolSettings } from './plan-types';

/** Whether lifeboat created this group's warm pool (and so may resize or delete it). */
export function warmPoolIsOurs(group: Pick<ManagedGroup, 'tags'>): boolean {
  return group.tags[TAG_WARM_POOL] === WARM_POOL_CREATED;
}

/** The most one group grows when one neighbour is evacuated, and which neighbour asks it. */
interface N1Growth {
  group: ManagedGroup;
  growth: number;
  forLossOf: RegionCode;
}

/**
 * N+1 growth per group: plan the evacuation of every region in turn (as readiness does) and
 * keep, for each group of a survivor, the largest DesiredCapacity increase any of them asks.
 * A group sized for its largest neighbour's loss is sized for any single loss.
 */
export function n1GrowthByGroup(index: FleetIndex, intent: PrepareDarkCapacityIntent, ctx: PlanContext): Map<string, N1Growth> {
  const byKey = new Map(index.snapshot.groups.map((g) => [keyOfGroup(g), g]));
  const { kind: _kind, poolState: _poolState, ...choice } = intent;
  const most = new Map<string, N1Growth>();
  for (const region of index.regions) {
    const evacuation = planMove(index, { ...choice, kind: 'evacuate', region }, ctx);
    for (const c of evacuation.groupChanges) {
      const growth = c.to.desiredCapacity - c.from.desiredCapacity;
      const group = byKey.get(keyOfGroup(c));
      const key = keyOfGroup(c);
      if (!group || growth <= 0 || growth <= (most.get(key)?.growth ?? 0)) continue;
      most.set(key, { group, growth, forLossOf: region });
    }
  }
  return most;
}

/**
 * Size warm pools so every region could absorb the loss of its largest neighbour from warm
 * instances: each group that would grow gets a pool of MinSize = that growth, and at most
 * what it runs plus that growth prepared (MaxGroupPreparedCapacity). A group with a pool
 * lifeboat did not create is left as it is (WARM_POOL_NOT_OURS when it is smaller than the
 * growth); a pool lifeboat created already at that size is not set again.
 *
 * Worked example: api runs 10 instances in each of three regions at equal weights
 * (proportional model, 10% headroom). Losing any one region, each survivor needs 16: a
 * growth of 6. Every api group gets {MinSize 6, MaxGroupPreparedCapacity 16, Stopped}.
 */
export function planPrepareDarkCapacity(index: FleetIndex, intent: PrepareDarkCapacityIntent, ctx: PlanContext): Plan {
  const plan = emptyPlan(index, intent, ctx);
  const poolState = intent.poolState ?? 'Stopped';
  const changes: WarmPoolChange[] = [];
  for (const { group, growth, forLossOf } of n1GrowthByGroup(index, intent, ctx).values()) {
    const from = group.warmPool;
    if (from && !warmPoolIsOurs(group)) {
      if (from.size < growth && (from.minSize ?? 0) < growth) {
        plan.warnings.push({
          code: 'WARM_POOL_NOT_OURS',
          message: `${group.name} in ${group.region} would grow by ${growth} if ${forLossOf} were lost; its warm pool (${from.size} warm) was not created by lifeboat and is left as it is`,
          details: { region: group.region, group: group.name, growth, warm: from.size },
        });
      }
      continue;
    }
    const to: WarmPoolSettings = { minSize: growth, maxGroupPreparedCapacity: group.desiredCapacity + growth, poolState };
    if (from && from.minSize === to.minSize && (from.poolState ?? 'Stopped') === poolState) continue;
    changes.push({ ...accountOf(group), region: group.region, group: group.name, service: group.service, ...(from ? { from } : {}), to, growth, forLossOf });
  }
  plan.warmPoolChanges = sortChanges(changes);
  if (changes.length === 0) plan.blockers.push(nothingToDo('every group that would grow when a neighbour is lost already has the warm pool it needs (or one lifeboat leaves alone)'));
  return plan;
}

/** Delete the warm pools lifeboat created; pools anyone else made are never touched. */
export function planReleaseDarkCapacity(index: FleetIndex, intent: ReleaseDarkCapacityIntent, ctx: PlanContext): Plan {
  const plan = emptyPlan(index, intent, ctx);
  const asked = intent.services ? new Set(intent.services) : undefined;
  const ours = index.snapshot.groups.filter((g) => warmPoolIsOurs(g) && (!asked || asked.has(g.service)));
  plan.warmPoolChanges = sortChanges(
    ours.map((g) => ({ ...accountOf(g), region: g.region, group: g.name, service: g.service, ...(g.warmPool ? { from: g.warmPool } : {}), to: null, growth: 0 })),
  );
  if (ours.length === 0) plan.blockers.push(nothingToDo('no group carries a warm pool lifeboat created'));
  return plan;
}

function sortChanges(changes: WarmPoolChange[]): WarmPoolChange[] {
  return changes.sort((a, b) => a.region.localeCompare(b.region) || a.group.localeCompare(b.group));
}

function nothingToDo(why: string) {
  return { code: 'LB_ERR_NOTHING_TO_DO' as const, message: `nothing to do: ${why}`, details: {} };
}
