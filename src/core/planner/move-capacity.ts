import type { Problem } from '../errors';
import { isLifeboatError } from '../errors';
import type { ServiceContext } from './capacity-targets';
import { capacityTargets, movedShareOf, servicePlan, shortfallsOf } from './capacity-targets';
import type { FleetIndex } from './fleet-index';
import { distributeAcrossGroups, groupChange, prescaleSize } from './group-sizing';
import type { CapacityTarget, GroupChange, ServicePlan } from './plan-types';
import type { ServiceShares, SharesByName } from './stages';

interface MoveSizing {
  services: ServicePlan[];
  /** Prescale: applied, and awaited, before any traffic moves. */
  groupChanges: GroupChange[];
  /** Instances each service runs per region once prescaled. */
  instances: Map<string, number[]>;
  shortfalls: Problem['details'][];
  /** Services the model cannot size at their target share (LB_ERR_MODEL_INPUT_MISSING, ...). */
  problems: Problem[];
}

/**
 * What every service that moves must run in each region before its traffic arrives: the
 * model's verdict at the target share (capacityTargets), and the prescale that gets the
 * regions that gain there. A service whose share does not move is not sized.
 */
export function sizeServicesForMove(
  index: FleetIndex,
  contexts: readonly ServiceContext[],
  after: SharesByName,
  serviceShares: ServiceShares,
  maxSizeGrowth: number,
): MoveSizing {
  const sizing: MoveSizing = { services: [], groupChanges: [], instances: new Map(), shortfalls: [], problems: [] };
  for (const c of contexts) {
    const targetShare = movedShareOf(c, after, index.regions) ?? serviceShares.get(c.service)?.after;
    if (!targetShare) continue;
    let targets: CapacityTarget[];
    try {
      targets = capacityTargets(c, targetShare);
    } catch (e) {
      if (!isLifeboatError(e)) throw e;
      sizing.problems.push(e.toProblem());
      continue;
    }
    sizing.services.push(servicePlan(c, targets));
    sizing.instances.set(c.service, targets.map((t) => t.target));
    sizing.shortfalls.push(...shortfallsOf(targets));
    sizing.groupChanges.push(...prescaleGainingRegions(c, targets, maxSizeGrowth));
  }
  return sizing;
}

/**
 * A region that gains traffic is pinned at its target before any of it arrives: the target
 * spread over the service's groups there (distributeAcrossGroups), each with MinSize raised
 * to its DesiredCapacity (prescaleSize) so the groups' own scaling cannot undo it. Regions
 * that do not gain are left alone.
 *
 * Worked example: api gains in us-west-2, target 16, one group {MinSize 2, Desired 10,
 * MaxSize 20} → {MinSize 16, Desired 16, MaxSize 20}.
 */
function prescaleGainingRegions(c: ServiceContext, targets: readonly CapacityTarget[], maxSizeGrowth: number): GroupChange[] {
  const changes: GroupChange[] = [];
  for (const t of targets) {
    if (t.targetShare <= t.share + 1e-12) continue;
    const groups = c.groups.get(t.region) ?? [];
    const desired = distributeAcrossGroups(groups, t.target, maxSizeGrowth);
    groups.forEach((g, i) => {
      const change = groupChange(g, prescaleSize(g, desired[i]!));
      if (change) changes.push(change);
    });
  }
  return changes;
}
