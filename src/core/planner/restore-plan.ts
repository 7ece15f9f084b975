import type { Problem } from '../errors';
import type { RegionCode } from '../fleet';
import type { RestoreIntent } from '../intents';
import type { CapacityModel } from '../models/capacity-model';
import { serviceContexts } from './capacity-targets';
import type { FleetIndex } from './fleet-index';
import { indexFleet } from './fleet-index';
import type { PlanContext } from './plan-context';
import { emptyPlan, shortfallProblem, unknownRegionProblem } from './plan-context';
import type { Plan, PlanWarning } from './plan-types';
import { changesByGroup, fleetReturnedTo, groupsBefore, goneGroups, regionShrank, regrowRegion, releasePins, servedBefore, sizeServicesForRestore } from './restore-capacity';
import type { SharesByName } from './stages';
import { buildStages, stagePercents } from './stages';

/**
 * Undo an evacuation or shift from the snapshot taken before it: bring the region's
 * groups back to their old sizes (pinned while traffic returns), move traffic back in
 * stages ending on the old weights exactly, then return every group lifeboat pinned to
 * its old MinSize and MaxSize.
 *
 * Worked example: api ran 10 instances (MinSize 2, MaxSize 20) with weight 100 in each of
 * us-east-1, us-west-2 and eu-west-1; us-east-1 was evacuated, so the weights are now
 * 0/150/150 and the survivors are pinned at {MinSize 16, Desired 16}. Restoring us-east-1:
 * its group is pinned at MinSize 10 (it still runs 10); traffic comes back in two stages,
 * 50/125/125 then 100/100/100, the old weights themselves; afterwards us-east-1 gets
 * MinSize 2 back and each survivor {MinSize 2, Desired 16, MaxSize 20}, for its own
 * scaling to bring down.
 */
export function planRestore(index: FleetIndex, intent: RestoreIntent, ctx: PlanContext): Plan {
  const plan = emptyPlan(index, intent, ctx);
  const { region } = intent;
  plan.region = region;
  const model = checkRestoreRequest(index, region, plan, ctx.models);
  if (!model) return plan;

  const previous = indexFleet(intent.previous);
  const held = stillEvacuatedElsewhere(intent, plan.warnings);
  const traffic = trafficThatComesBack(index, previous, region, held, plan.warnings);
  const oldOf = groupsBefore(intent.previous);
  const groupChanges = regrowRegion(index, region, oldOf);
  plan.warnings.push(...goneGroups(index, intent.previous, region));
  if (traffic.after.size === 0 && !regionShrank(index, region, oldOf)) {
    plan.blockers.push(notEvacuatedProblem(region));
    return plan;
  }

  const sizingAsked = { model, models: ctx.models, maxSizeGrowth: plan.maxSizeGrowth };
  const { contexts, problems, warnings } = serviceContexts(index, index.services, demandNow(model), sizingAsked);
  plan.warnings.push(...warnings, ...problems);
  const during = changesByGroup(groupChanges);
  const sizing = sizeServicesForRestore(index, contexts, region, traffic.after, during, oldOf);
  if (sizing.shortfalls.length > 0) plan.blockers.push(shortfallProblem(sizing.shortfalls));

  plan.names = [...traffic.after.keys()];
  plan.services = sizing.services;
  plan.groupChanges = groupChanges;
  plan.finalGroupChanges = releasePins(index, intent, held, during, oldOf);
  plan.stages = buildStages({
    index,
    before: traffic.before,
    after: traffic.after,
    finalWeights: traffic.finalWeights,
    percents: stagePercents(intent.stages ?? ctx.defaultStages),
    services: fleetReturnedTo(previous, index.regions, contexts, sizingAsked),
    servedBefore: servedBefore(previous, index.regions, contexts),
    serviceShares: new Map(),
    instances: sizing.instances,
  });
  return plan;
}

/** The model that judges the stages' load; undefined, with a blocker, when the region or the model is unknown. */
function checkRestoreRequest(index: FleetIndex, region: RegionCode, plan: Plan, models: PlanContext['models']): CapacityModel | undefined {
  if (!index.regions.includes(region)) {
    plan.blockers.push(unknownRegionProblem(index, region));
    return undefined;
  }
  const model = models.get(plan.model);
  if (!model) plan.blockers.push({ code: 'LB_ERR_UNKNOWN_MODEL', message: `no capacity model named ${plan.model}`, details: { model: plan.model } });
  return model;
}

/**
 * A restore judges its stages against the demand now, not the peak ahead: it gives each
 * region back what it ran, and the regions' own scaling follows the day from there.
 */
function demandNow(model: CapacityModel): { parameters?: Record<string, number> } {
  return Object.hasOwn(model.parameters, 'horizon') ? { parameters: { horizon: 0 } } : {};
}

/**
 * Other regions still evacuated: they keep the share they have now (none), and survivors
 * stay pinned until those are restored too, so the plan says so.
 */
function stillEvacuatedElsewhere(intent: RestoreIntent, warnings: PlanWarning[]): Set<RegionCode> {
  const held = new Set((intent.stillEvacuated ?? []).filter((r) => r !== intent.region));
  if (held.size > 0) {
    warnings.push({
      code: 'FORCED',
      message: `${[...held].join(', ')} ${held.size > 1 ? 'are' : 'is'} still evacuated: ${held.size > 1 ? 'they keep' : 'it keeps'} its share and survivors stay pinned until ${held.size > 1 ? 'they are' : 'it is'} restored`,
      details: { stillEvacuated: [...held] },
    });
  }
  return held;
}

interface ReturningTraffic {
  /** Shares now and after the restore, of the names that come back. */
  before: SharesByName;
  after: SharesByName;
  /** The old weights, for the names whose old shares come back exactly. */
  finalWeights: Map<string, Map<RegionCode, number>>;
}

/**
 * The names whose share in the region is below what it was before: those come back, to
 * restoredShares. A name whose shares end exactly as they were ends on its old weights too,
 * not on equivalent ones: people reading Route 53 find the numbers they set (100/100/100,
 * not 1/1/1). A name that has lost its records since cannot be restored, and says so.
 */
function trafficThatComesBack(
  index: FleetIndex,
  previous: FleetIndex,
  region: RegionCode,
  held: ReadonlySet<RegionCode>,
  warnings: PlanWarning[],
): ReturningTraffic {
  const traffic: ReturningTraffic = { before: new Map(), after: new Map(), finalWeights: new Map() };
  for (const [name, oldShares] of previous.sharesOf) {
    const nowShares = index.sharesOf.get(name);
    if (!nowShares) {
      warnings.push({ code: 'NAME_WITHOUT_REGION_RECORD', message: `${name} had weighted records before but has none now; it is not restored`, details: { name } });
      continue;
    }
    if ((oldShares.get(region) ?? 0) <= (nowShares.get(region) ?? 0) + 1e-9) continue;
    traffic.before.set(name, new Map(nowShares));
    const target = restoredShares(region, oldShares, nowShares, held);
    traffic.after.set(name, target);
    const exact = [...target].every(([r, s]) => Math.abs(s - (oldShares.get(r) ?? 0)) < 1e-9);
    if (exact) traffic.finalWeights.set(name, new Map([...nowShares.keys()].map((r) => [r, previous.weightsOf.get(name)?.get(r) ?? 0])));
  }
  return traffic;
}

/**
 * The shares a name returns to: the restored region gets its old share back, regions still
 * evacuated keep what they have now, and the others split the rest as they did before.
 *
 * Worked example: before {a: 0.5, b: 0.25, c: 0.25}, now {a: 0, b: 0.5, c: 0.5}; restoring
 * a gives {a: 0.5, b: 0.25, c: 0.25}. With c still evacuated (now {a: 0, b: 1, c: 0}): a gets
 * 0.5 back, c keeps 0, b takes the other 0.5 → {a: 0.5, b: 0.5, c: 0}.
 */
function restoredShares(
  region: RegionCode,
  oldShares: ReadonlyMap<RegionCode, number>,
  nowShares: ReadonlyMap<RegionCode, number>,
  held: ReadonlySet<RegionCode>,
): Map<RegionCode, number> {
  const regions = [...nowShares.keys()];
  const target = new Map<RegionCode, number>(regions.map((r) => [r, 0]));
  const mine = oldShares.get(region) ?? 0;
  target.set(region, mine);
  let rest = 1 - mine;
  for (const r of regions.filter((r) => held.has(r) && r !== region)) {
    target.set(r, nowShares.get(r) ?? 0);
    rest -= nowShares.get(r) ?? 0;
  }
  const others = regions.filter((r) => r !== region && !held.has(r));
  const oldTotal = others.reduce((a, r) => a + (oldShares.get(r) ?? 0), 0);
  if (others.length === 0) target.set(region, mine + rest);
  for (const r of others) target.set(r, oldTotal > 0 ? ((oldShares.get(r) ?? 0) / oldTotal) * rest : rest / others.length);
  return target;
}

function notEvacuatedProblem(region: RegionCode): Problem {
  return {
    code: 'LB_ERR_REGION_NOT_EVACUATED',
    message: `${region} already serves what it served before (and runs what it ran); nothing to restore`,
    details: { region },
  };
}
