import type { Problem } from '../errors';
import type { FleetSnapshot, ManagedGroup, RegionCode } from '../fleet';
import { keyOfGroup } from '../fleet';
import type { RestoreIntent } from '../intents';
import type { ServiceContext, Sizing } from './capacity-targets';
import { movedShareOf, serviceContext, servicePlan, shortfallsOf } from './capacity-targets';
import type { FleetIndex } from './fleet-index';
import { groupChange, sizeOf } from './group-sizing';
import type { CapacityTarget, GroupChange, PlanWarning, ServicePlan } from './plan-types';
import type { SharesByName } from './stages';

/**
 * The capacity side of a restore (restore-plan.ts is the procedure): the region's groups
 * grow back to what they ran before, every other region keeps what it runs until the last
 * stage, and afterwards every pin lifeboat set is released.
 */

/** A group as it was in the snapshot taken before the evacuation; undefined for a group that is new since. */
type GroupBefore = (group: ManagedGroup) => ManagedGroup | undefined;

export function groupsBefore(previous: FleetSnapshot): GroupBefore {
  const oldGroups = new Map(previous.groups.map((g) => [keyOfGroup(g), g]));
  return (g) => oldGroups.get(keyOfGroup(g));
}

/** The restore's group changes by keyOfGroup. Group names are unique per region, so a group has at most one. */
export function changesByGroup(changes: readonly GroupChange[]): Map<string, GroupChange> {
  return new Map(changes.map((c) => [keyOfGroup(c), c]));
}

const groupsIn = (index: FleetIndex, region: RegionCode) => index.snapshot.groups.filter((g) => g.region === region);

/**
 * The region's groups back to at least their old DesiredCapacity, with MinSize raised to
 * it so the groups' own scaling cannot shrink them while traffic returns, and MaxSize no
 * lower than it was before.
 *
 * Worked example: a group that ran {MinSize 2, Desired 10, MaxSize 20} before and runs
 * {MinSize 0, Desired 4, MaxSize 8} now → {MinSize 10, Desired 10, MaxSize 20}.
 */
export function regrowRegion(index: FleetIndex, region: RegionCode, oldOf: GroupBefore): GroupChange[] {
  const changes: GroupChange[] = [];
  for (const g of groupsIn(index, region)) {
    const old = oldOf(g);
    if (!old) continue;
    const desired = Math.max(old.desiredCapacity, g.desiredCapacity);
    const change = groupChange(g, { minSize: Math.max(g.minSize, desired), desiredCapacity: desired, maxSize: Math.max(g.maxSize, old.maxSize, desired) });
    if (change) changes.push(change);
  }
  return changes;
}

/** A group of the region deleted since the evacuation cannot be brought back: worth a warning, not a blocker. */
export function goneGroups(index: FleetIndex, previous: FleetSnapshot, region: RegionCode): PlanWarning[] {
  const namesNow = new Set(groupsIn(index, region).map((g) => g.name));
  return previous.groups
    .filter((old) => old.region === region && !namesNow.has(old.name))
    .map((old) => ({ code: 'GROUP_GONE', message: `${old.name} in ${region} existed before the evacuation but is gone; it cannot be restored`, details: { group: old.name, region } }));
}

/** Whether some group of the region runs fewer instances than before: then a restore has work even when no traffic comes back. */
export function regionShrank(index: FleetIndex, region: RegionCode, oldOf: GroupBefore): boolean {
  return index.snapshot.groups.some((g) => g.region === region && (oldOf(g)?.desiredCapacity ?? 0) > g.desiredCapacity);
}

interface RestoreSizing {
  services: ServicePlan[];
  /** Instances each service runs per region while traffic returns. */
  instances: Map<string, number[]>;
  shortfalls: Problem['details'][];
}

/**
 * Capacity during a restore is not the model's to decide: the region needs what served it
 * before, and gets it from regrowRegion; no other region changes until the end. The model
 * still judges every stage's load (see fleetReturnedTo).
 */
export function sizeServicesForRestore(
  index: FleetIndex,
  contexts: readonly ServiceContext[],
  region: RegionCode,
  after: SharesByName,
  during: ReadonlyMap<string, GroupChange>,
  oldOf: GroupBefore,
): RestoreSizing {
  const sizing: RestoreSizing = { services: [], instances: new Map(), shortfalls: [] };
  for (const c of contexts) {
    const targetShare = movedShareOf(c, after, index.regions) ?? c.inputs.share;
    const targets = restoreTargets(c, index.regions, region, targetShare, during, oldOf);
    sizing.shortfalls.push(...shortfallsOf(targets));
    sizing.services.push(servicePlan(c, targets));
    sizing.instances.set(c.service, targets.map((t) => t.target));
  }
  return sizing;
}

/**
 * One service per region during a restore: `target` is what its groups run once
 * regrowRegion's changes are in; `required` is the old DesiredCapacity in the restored
 * region and the target elsewhere.
 *
 * Worked example: api ran 10 in us-east-1 before and runs 4 there now (ceiling 20), 16 in
 * us-west-2 → us-east-1 {required 10, target 10}, us-west-2 {required 16, target 16}.
 */
function restoreTargets(
  c: ServiceContext,
  regions: readonly RegionCode[],
  region: RegionCode,
  targetShare: number[],
  during: ReadonlyMap<string, GroupChange>,
  oldOf: GroupBefore,
): CapacityTarget[] {
  return regions.map((r, i) => {
    const groups = c.groups.get(r) ?? [];
    const target = groups.reduce((a, g) => a + (during.get(keyOfGroup(g))?.to.desiredCapacity ?? g.desiredCapacity), 0);
    const wanted = r === region ? groups.reduce((a, g) => a + (oldOf(g)?.desiredCapacity ?? g.desiredCapacity), 0) : target;
    const ceiling = Math.max(c.ceilings[i]!, target);
    return {
      service: c.service,
      region: r,
      share: c.inputs.share[i]!,
      targetShare: targetShare[i]!,
      current: c.inputs.current[i]!,
      inService: c.inputs.inService[i]!,
      required: wanted,
      target,
      ceiling,
      shortfall: Math.max(0, wanted - ceiling),
    };
  });
}

/**
 * After the last stage, every group lifeboat pinned (here or in a survivor) gets its old
 * MinSize and MaxSize back. DesiredCapacity is left to the group's own scaling (kept within
 * the old bounds) unless scaleDownSurvivors asks for the old one. While other regions are
 * still evacuated, survivors stay pinned: only the restored region's groups are released.
 *
 * Worked example: a survivor that ran {MinSize 2, Desired 10, MaxSize 20} before and is
 * pinned at {16, 16, 20} → {2, 16, 20}; with scaleDownSurvivors → {2, 10, 20}.
 */
export function releasePins(
  index: FleetIndex,
  intent: RestoreIntent,
  held: ReadonlySet<RegionCode>,
  during: ReadonlyMap<string, GroupChange>,
  oldOf: GroupBefore,
): GroupChange[] {
  const changes: GroupChange[] = [];
  for (const g of index.snapshot.groups) {
    const old = oldOf(g);
    if (!old) continue;
    if (held.size > 0 && g.region !== intent.region) continue;
    const sizes = { ...sizeOf(g), ...(during.get(keyOfGroup(g))?.to ?? {}) };
    const pinned = sizes.minSize > old.minSize || sizes.maxSize > old.maxSize;
    if (!pinned) continue;
    const desired = intent.scaleDownSurvivors && g.region !== intent.region ? old.desiredCapacity : Math.min(Math.max(sizes.desiredCapacity, old.minSize), old.maxSize);
    const change = groupChange({ ...g, ...sizes }, { minSize: old.minSize, desiredCapacity: desired, maxSize: old.maxSize });
    if (change) changes.push(change);
  }
  return changes;
}

/**
 * Each stage's load is judged against the fleet being returned to: it served the old
 * shares with the old instances, which the survivors' inflated capacity says nothing about.
 * The ceilings stay today's; a service the old fleet cannot size is judged as it is now.
 * A service sized from measured load is judged on today's demand instead, since the
 * instances it runs are not read as load (see servedBefore for its cap).
 */
export function fleetReturnedTo(
  previous: FleetIndex,
  regions: RegionCode[],
  contexts: readonly ServiceContext[],
  sizing: Sizing,
): ServiceContext[] {
  const reference = { ...previous, regions };
  return contexts.map((c) => {
    if (c.model.readsLoad) return c;
    try {
      return { ...serviceContext(reference, c.service, {}, { ...sizing, model: c.model }), ceilings: c.ceilings };
    } catch {
      return c;
    }
  });
}

/**
 * Per service, what each region served and ran before the evacuation. A region never needs
 * more for a share than it ran when it served at least that share: a stage that brings
 * traffic back is not judged short for less than the region ran before, whatever today's
 * demand asks at the model's target utilization (it is given exactly that back).
 *
 * Worked example: us-east-1 ran 10 for 1/3 of api before; today's demand at the model's
 * target would want 15 for 1/3. A restore stage giving it 1/6 or 1/3 needs at most 10.
 */
export function servedBefore(previous: FleetIndex, regions: readonly RegionCode[], contexts: readonly ServiceContext[]): Map<string, { share: number[]; instances: number[] }> {
  const before = new Map<string, { share: number[]; instances: number[] }>();
  for (const c of contexts) {
    const name = previous.trafficNameOf.get(c.service);
    const shares = name ? previous.sharesOf.get(name) : undefined;
    if (!shares) continue;
    const ran = previous.capacity.get(c.service);
    before.set(c.service, { share: regions.map((r) => shares.get(r) ?? 0), instances: regions.map((r) => ran?.get(r)?.desiredCapacity ?? 0) });
  }
  return before;
}
