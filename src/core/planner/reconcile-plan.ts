import type { Problem } from '../errors';
import { groupKey } from '../fleet';
import type { ManagedGroup, RegionCode } from '../fleet';
import type { ReconcileIntent } from '../intents';
import { pinOf } from '../pins';
import { sharesFromWeights } from '../snapshot';
import type { ServiceContext } from './capacity-targets';
import { movedShareOf, serviceContexts, servicePlan, shortfallsOf } from './capacity-targets';
import type { FleetIndex } from './fleet-index';
import { distributeAcrossGroups, groupChange, prescaleSize, sizeOf } from './group-sizing';
import type { PlanContext } from './plan-context';
import { emptyPlan, shortfallProblem } from './plan-context';
import type { CapacityTarget, GroupChange, GroupSize, Plan, PlanWarning, ServicePlan } from './plan-types';
import type { SharesByName } from './stages';
import { buildStages, stagePercents } from './stages';

/**
 * Return the fleet to a known state after lifeboat lost track of what it was doing (Redis
 * lost its keys in the middle of a move, say): the weights of the target, reached in stages
 * with the capacity first (regions that regain traffic are pinned at what served them before
 * any of it arrives, see sizeForTarget); then every group in the target's bounds, and every
 * group this plan pinned, is let go at those bounds, for its own scaling to take over.
 * The target (the operation layer resolves it) is what lifeboat's pin records on AWS hold,
 * or what the requester gave.
 *
 * Worked example: api ran 6 instances {MinSize 2, MaxSize 20} with weight 100 in each of
 * us-east-1, us-west-2, eu-west-1; an evacuation of us-east-1 pinned the survivors at
 * {MinSize 9, Desired 9} and set stage 1's weights 50/125/125, then Redis lost it. The
 * target is 100/100/100 and bounds {MinSize 2, MaxSize 20} for both survivors: us-east-1
 * regains traffic, so it is pinned at the 6 it runs first; two stages take the weights
 * towards 100/100/100 and end on it exactly; finally all three groups get {MinSize 2,
 * MaxSize 20} back.
 */
export function planReconcile(index: FleetIndex, intent: ReconcileIntent, ctx: PlanContext): Plan {
  const plan = emptyPlan(index, intent, ctx);
  plan.warnings.push({ code: 'RECONCILE_TARGET', message: `reconcile to ${intent.target.source}`, details: { source: intent.target.source } });
  const model = ctx.models.get(plan.model);
  if (!model) {
    plan.blockers.push({ code: 'LB_ERR_UNKNOWN_MODEL', message: `no capacity model named ${plan.model}`, details: { model: plan.model } });
    return plan;
  }
  const traffic = trafficToReturn(index, intent, plan.warnings, plan.blockers);
  if (plan.blockers.length > 0) return plan;

  const names = [...traffic.after.keys()];
  const services = [...new Set(names.flatMap((n) => index.servicesOfName.get(n) ?? []))];
  const { contexts, problems, warnings } = serviceContexts(index, services, intent, { model, models: ctx.models, maxSizeGrowth: plan.maxSizeGrowth });
  plan.warnings.push(...warnings, ...problems);
  const sizing = sizeForTarget(index, contexts, traffic.after);
  if (sizing.shortfalls.length > 0) plan.blockers.push(shortfallProblem(sizing.shortfalls));

  plan.names = names;
  plan.services = sizing.services;
  plan.groupChanges = sizing.groupChanges;
  plan.stages = names.length
    ? buildStages({
        index,
        before: traffic.before,
        after: traffic.after,
        finalWeights: traffic.finalWeights,
        percents: stagePercents(intent.stages ?? ctx.defaultStages),
        services: sizing.reference,
        serviceShares: new Map(),
        instances: sizing.instances,
      })
    : [];
  plan.finalGroupChanges = letGo(index, intent, sizing.groupChanges);
  if (plan.groupChanges.length === 0 && plan.stages.length === 0 && plan.finalGroupChanges.length === 0 && plan.blockers.length === 0) {
    plan.blockers.push({ code: 'LB_ERR_NOTHING_TO_DO', message: `the fleet already matches ${intent.target.source}`, details: {} });
  }
  return plan;
}

interface TargetSizing {
  services: ServicePlan[];
  groupChanges: GroupChange[];
  /** Instances each service runs per region (what the stages' load is judged against). */
  instances: Map<string, number[]>;
  /** The services as the fleet returned to ran them: what each stage's load is judged by. */
  reference: ServiceContext[];
  shortfalls: Problem['details'][];
}

/**
 * Capacity is judged against the fleet the target returns to, as a restore judges it: its
 * traffic at the target's shares, and each pinned group at the DesiredCapacity its record
 * holds (it served that share with that). A region that regains traffic needs what served
 * it there: its groups are pinned at no less than that (MinSize raised with them) before
 * any traffic returns, so their own scaling cannot shrink them meanwhile. The model judges
 * every stage's load; it does not size the fleet up, since the fleet returned to ran.
 *
 * Worked example: us-east-1 runs 10 (no pin) and regains a third of the traffic: required
 * 10, pinned at {MinSize 10, Desired 10}. us-west-2 runs 16, pinned from 10: required 10,
 * it loses traffic and stays as it is until the end.
 */
function sizeForTarget(index: FleetIndex, contexts: readonly ServiceContext[], after: SharesByName): TargetSizing {
  const sizing: TargetSizing = { services: [], groupChanges: [], instances: new Map(), reference: [], shortfalls: [] };
  for (const c of contexts) {
    const targetShare = movedShareOf(c, after, index.regions);
    if (!targetShare) continue;
    const ran = index.regions.map((r) => (c.groups.get(r) ?? []).reduce((a, g) => a + (pinOf(g.tags)?.from.desiredCapacity ?? g.desiredCapacity), 0));
    const targets: CapacityTarget[] = index.regions.map((region, i) => {
      const current = c.inputs.current[i]!;
      const gains = targetShare[i]! > c.inputs.share[i]! + 1e-12;
      const wanted = gains ? Math.max(current, ran[i]!) : current;
      const ceiling = Math.max(c.ceilings[i]!, current);
      const target = Math.min(wanted, ceiling);
      if (gains) sizing.groupChanges.push(...pinRegion(c.groups.get(region) ?? [], target));
      return { service: c.service, region, share: c.inputs.share[i]!, targetShare: targetShare[i]!, current, inService: c.inputs.inService[i]!, required: ran[i]!, target, ceiling, shortfall: Math.max(0, wanted - ceiling) };
    });
    sizing.services.push(servicePlan(c, targets));
    sizing.instances.set(c.service, targets.map((t) => t.target));
    sizing.shortfalls.push(...shortfallsOf(targets));
    sizing.reference.push({ ...c, inputs: { ...c.inputs, current: ran, share: targetShare, targetShare } });
  }
  return sizing;
}

/** The region's groups held at `target` in all (spread as a prescale spreads it), MinSize raised with them. */
function pinRegion(groups: readonly ManagedGroup[], target: number): GroupChange[] {
  const desired = distributeAcrossGroups(groups, target, 1);
  return groups.map((g, i) => groupChange(g, prescaleSize(g, desired[i]!))).filter((c): c is GroupChange => !!c);
}

interface ReturningTraffic {
  before: SharesByName;
  after: SharesByName;
  finalWeights: Map<string, Map<RegionCode, number>>;
}

/** The names whose weights differ from the target's: their shares now and at the target, and the target's weights exactly. */
function trafficToReturn(index: FleetIndex, intent: ReconcileIntent, warnings: PlanWarning[], blockers: Problem[]): ReturningTraffic {
  const traffic: ReturningTraffic = { before: new Map(), after: new Map(), finalWeights: new Map() };
  for (const [name, wanted] of Object.entries(intent.target.weights)) {
    const now = index.weightsOf.get(name);
    if (!now) {
      warnings.push({ code: 'NAME_WITHOUT_REGION_RECORD', message: `${name} has no weighted records now; its weights are not reconciled`, details: { name } });
      continue;
    }
    for (const r of Object.keys(wanted).filter((r) => !now.has(r))) {
      warnings.push({ code: 'RECIPIENT_WITHOUT_RECORD', message: `${name} has no record for ${r}; its weight there is not set`, details: { name, region: r } });
    }
    const target = new Map([...now].map(([r, w]) => [r, wanted[r] ?? w]));
    if ([...target].every(([r, w]) => now.get(r) === w)) continue;
    if ([...target.values()].every((w) => w === 0)) {
      blockers.push({ code: 'LB_ERR_NO_SERVING_REGION', message: `the weights asked for ${name} are all 0: no region would serve it`, details: { name } });
      continue;
    }
    traffic.before.set(name, new Map(index.sharesOf.get(name)));
    traffic.after.set(name, sharesFromWeights(target));
    traffic.finalWeights.set(name, target);
  }
  return traffic;
}

/**
 * After the last stage: the target's groups go to their bounds, and groups this plan pinned
 * (and the target does not name) back to the bounds they have now; DesiredCapacity stays
 * where it is within them, for the groups' own scaling to take over.
 */
function letGo(index: FleetIndex, intent: ReconcileIntent, pinnedHere: readonly GroupChange[]): GroupChange[] {
  const during = new Map(pinnedHere.map((c) => [groupKey(c.region, c.group), c]));
  const wanted = new Map<string, { minSize: number; maxSize: number }>();
  for (const c of pinnedHere) wanted.set(groupKey(c.region, c.group), { minSize: c.from.minSize, maxSize: c.from.maxSize });
  for (const b of intent.target.bounds) wanted.set(groupKey(b.region, b.group), b);
  const changes: GroupChange[] = [];
  for (const g of index.snapshot.groups) {
    const bounds = wanted.get(groupKey(g.region, g.name));
    if (!bounds) continue;
    const sizes: GroupSize = during.get(groupKey(g.region, g.name))?.to ?? sizeOf(g);
    const desired = Math.min(Math.max(sizes.desiredCapacity, bounds.minSize), bounds.maxSize);
    const to = { minSize: bounds.minSize, desiredCapacity: desired, maxSize: bounds.maxSize };
    // A group already at its bounds that still carries a pin record is let go all the same (the record goes).
    const change = groupChange({ ...g, ...sizes }, to) ?? (pinOf(g.tags) ? { region: g.region, group: g.name, service: g.service, from: sizes, to } : undefined);
    if (change) changes.push(change);
  }
  return changes;
}
