import { isLifeboatError } from '../errors';
import type { ManagedGroup, RegionCode } from '../fleet';
import { groupKey } from '../fleet';
import type { RestoreIntent } from '../intents';
import type { ServiceContext } from './capacity-targets';
import { serviceContext } from './capacity-targets';
import type { FleetIndex } from './fleet-index';
import { indexFleet } from './fleet-index';
import { groupChange, sizeOf } from './group-sizing';
import type { PlanContext } from './plan-context';
import { emptyPlan, shortfallProblem } from './plan-context';
import type { CapacityTarget, GroupChange, Plan, ServicePlan } from './plan-types';
import type { SharesByName } from './stages';
import { buildStages, stagePercents } from './stages';

/**
 * Undo an evacuation or shift from the snapshot taken before it: bring the region's
 * groups back to their old sizes (pinned while traffic returns), move traffic back in
 * stages ending on the old weights exactly, then return every group lifeboat pinned to
 * its old MinSize and MaxSize.
 */
export function planRestore(index: FleetIndex, intent: RestoreIntent, ctx: PlanContext): Plan {
  const plan = emptyPlan(index, intent, ctx);
  const { region } = intent;
  plan.region = region;
  const { blockers, warnings } = plan;
  if (!index.regions.includes(region)) {
    blockers.push({ code: 'LB_ERR_UNKNOWN_REGION', message: `${region} is not a managed region (managed: ${index.regions.join(', ')})`, details: { region } });
    return plan;
  }
  const model = ctx.models.get(plan.model);
  if (!model) {
    blockers.push({ code: 'LB_ERR_UNKNOWN_MODEL', message: `no capacity model named ${plan.model}`, details: { model: plan.model } });
    return plan;
  }
  const previous = indexFleet(intent.previous);
  const held = new Set((intent.stillEvacuated ?? []).filter((r) => r !== region));
  if (held.size > 0) {
    warnings.push({
      code: 'FORCED',
      message: `${[...held].join(', ')} ${held.size > 1 ? 'are' : 'is'} still evacuated: ${held.size > 1 ? 'they keep' : 'it keeps'} its share and survivors stay pinned until ${held.size > 1 ? 'they are' : 'it is'} restored`,
      details: { stillEvacuated: [...held] },
    });
  }

  // Names whose share in the region is below what it was: those come back.
  const before: SharesByName = new Map();
  const after: SharesByName = new Map();
  const finalWeights = new Map<string, Map<RegionCode, number>>();
  for (const [name, oldShares] of previous.sharesOf) {
    const oldShare = oldShares.get(region) ?? 0;
    const nowShares = index.sharesOf.get(name);
    if (!nowShares) {
      warnings.push({ code: 'NAME_WITHOUT_REGION_RECORD', message: `${name} had weighted records before but has none now; it is not restored`, details: { name } });
      continue;
    }
    if (oldShare <= (nowShares.get(region) ?? 0) + 1e-9) continue;
    before.set(name, new Map(nowShares));
    const target = restoredShares(region, oldShares, nowShares, held);
    after.set(name, target);
    const exact = [...target].every(([r, s]) => Math.abs(s - (oldShares.get(r) ?? 0)) < 1e-9);
    if (exact) finalWeights.set(name, new Map([...nowShares.keys()].map((r) => [r, previous.weightsOf.get(name)?.get(r) ?? 0])));
  }

  const oldGroups = new Map(intent.previous.groups.map((g) => [groupKey(g.region, g.name), g]));
  const oldOf = (g: ManagedGroup) => oldGroups.get(groupKey(g.region, g.name));

  // The region's groups go back to (at least) their old size, pinned while traffic returns.
  const groupChanges: GroupChange[] = [];
  for (const g of index.snapshot.groups.filter((g) => g.region === region)) {
    const old = oldOf(g);
    if (!old) continue;
    const desired = Math.max(old.desiredCapacity, g.desiredCapacity);
    const change = groupChange(g, { minSize: Math.max(g.minSize, desired), desiredCapacity: desired, maxSize: Math.max(g.maxSize, old.maxSize, desired) });
    if (change) groupChanges.push(change);
  }
  const namesNow = new Set(index.snapshot.groups.filter((g) => g.region === region).map((g) => g.name));
  for (const old of intent.previous.groups.filter((g) => g.region === region)) {
    if (!namesNow.has(old.name)) {
      warnings.push({ code: 'GROUP_GONE', message: `${old.name} in ${region} existed before the evacuation but is gone; it cannot be restored`, details: { group: old.name, region } });
    }
  }

  const regionShrank = index.snapshot.groups.some((g) => g.region === region && (oldOf(g)?.desiredCapacity ?? 0) > g.desiredCapacity);
  if (after.size === 0 && !regionShrank) {
    blockers.push({
      code: 'LB_ERR_REGION_NOT_EVACUATED',
      message: `${region} already serves what it served before (and runs what it ran); nothing to restore`,
      details: { region },
    });
    return plan;
  }

  // Capacity: the region gets back what served it before; nobody else changes until the end.
  const contexts: ServiceContext[] = [];
  for (const service of index.services) {
    try {
      contexts.push(serviceContext(index, service, model, {}, plan.maxSizeGrowth));
    } catch (e) {
      if (!isLifeboatError(e)) throw e;
      warnings.push(e.toProblem());
    }
  }
  const services: ServicePlan[] = [];
  const instances = new Map<string, number[]>();
  const shortfalls: NonNullable<Parameters<typeof shortfallProblem>[0]> = [];
  // Group names are unique per region, so a group has at most one change.
  const changeOf = new Map(groupChanges.map((c) => [groupKey(c.region, c.group), c]));
  for (const c of contexts) {
    const targetShare = c.trafficName && after.has(c.trafficName) ? index.regions.map((r) => after.get(c.trafficName!)!.get(r) ?? 0) : c.inputs.share;
    const targets: CapacityTarget[] = index.regions.map((r, i) => {
      const groups = c.groups.get(r) ?? [];
      const target = groups.reduce((a, g) => a + (changeOf.get(groupKey(r, g.name))?.to.desiredCapacity ?? g.desiredCapacity), 0);
      const wanted = r === region ? groups.reduce((a, g) => a + (oldOf(g)?.desiredCapacity ?? g.desiredCapacity), 0) : target;
      const ceiling = Math.max(c.ceilings[i]!, target);
      if (wanted > ceiling) shortfalls.push({ service: c.service, region: r, required: wanted, ceiling, short: wanted - ceiling });
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
    services.push({ service: c.service, ...(c.trafficName ? { trafficName: c.trafficName } : {}), parameters: c.parameters, regions: targets });
    instances.set(c.service, targets.map((t) => t.target));
  }
  if (shortfalls.length > 0) blockers.push(shortfallProblem(shortfalls));

  // Afterwards every group lifeboat pinned (here or in a survivor) gets its old MinSize and
  // MaxSize back; DesiredCapacity is left to the group's own scaling unless asked otherwise.
  const finalGroupChanges: GroupChange[] = [];
  for (const g of index.snapshot.groups) {
    const old = oldOf(g);
    if (!old) continue;
    if (held.size > 0 && g.region !== region) continue;
    const during = { ...sizeOf(g), ...(changeOf.get(groupKey(g.region, g.name))?.to ?? {}) };
    const pinned = during.minSize > old.minSize || during.maxSize > old.maxSize;
    if (!pinned) continue;
    const desired = intent.scaleDownSurvivors && g.region !== region ? old.desiredCapacity : Math.min(Math.max(during.desiredCapacity, old.minSize), old.maxSize);
    const to = { minSize: old.minSize, desiredCapacity: desired, maxSize: old.maxSize };
    const change = groupChange({ ...g, ...during }, to);
    if (change) finalGroupChanges.push(change);
  }

  plan.names = [...after.keys()];
  plan.services = services;
  plan.groupChanges = groupChanges;
  plan.finalGroupChanges = finalGroupChanges;
  // Each stage's load is judged against the fleet being returned to: it served the old
  // shares with the old instances, which the survivors' inflated capacity says nothing about.
  const reference = { ...previous, regions: index.regions };
  const referenceContexts: ServiceContext[] = [];
  for (const c of contexts) {
    try {
      referenceContexts.push({ ...serviceContext(reference, c.service, model, {}, plan.maxSizeGrowth), ceilings: c.ceilings });
    } catch {
      referenceContexts.push(c);
    }
  }
  plan.stages = buildStages({
    index,
    before,
    after,
    finalWeights,
    percents: stagePercents(intent.stages ?? ctx.defaultStages),
    model,
    services: referenceContexts,
    serviceShares: new Map(),
    instances,
  });
  return plan;
}

/**
 * The shares a name returns to: the restored region gets its old share back, regions still
 * evacuated keep what they have now, and the others split the rest as they did before.
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
