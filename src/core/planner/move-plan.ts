import type { Problem } from '../errors';
import { isLifeboatError } from '../errors';
import type { RegionCode } from '../fleet';
import type { EvacuateIntent, ShiftIntent } from '../intents';
import type { CapacityModel } from '../models/capacity-model';
import { servableShare } from '../models/evaluate-model';
import { moveShare, sharesFromTargetWeights } from '../redistribution';
import type { ServiceContext } from './capacity-targets';
import { capacityTargets, serviceContext } from './capacity-targets';
import type { FleetIndex } from './fleet-index';
import { distributeAcrossGroups, groupChange, prescaleSize } from './group-sizing';
import type { GroupChange, Plan, ServicePlan } from './plan-types';
import type { PlanContext } from './plan-context';
import { emptyPlan, shortfallProblem } from './plan-context';
import type { SharesByName } from './stages';
import { buildStages, stagePercents } from './stages';

/**
 * Evacuate a region, or shift part of its traffic: where its share goes, what every
 * region that gains must run first, and the weights stage by stage.
 */
export function planMove(index: FleetIndex, intent: EvacuateIntent | ShiftIntent, ctx: PlanContext): Plan {
  const from = intent.kind === 'evacuate' ? intent.region : intent.from;
  const fraction = intent.kind === 'evacuate' ? 1 : intent.percent / 100;
  const to = intent.kind === 'shift' && intent.to !== undefined ? (Array.isArray(intent.to) ? intent.to : [intent.to]) : undefined;
  const plan = emptyPlan(index, intent, ctx);
  plan.region = from;
  const { blockers, warnings } = plan;

  for (const region of [from, ...(to ?? [])]) {
    if (!index.regions.includes(region)) {
      blockers.push({ code: 'LB_ERR_UNKNOWN_REGION', message: `${region} is not a managed region (managed: ${index.regions.join(', ')})`, details: { region } });
    }
  }
  if (to?.includes(from)) blockers.push({ code: 'LB_ERR_VALIDATION', message: `cannot shift traffic from ${from} to itself`, details: { field: 'to' } });
  const model = ctx.models.get(plan.model);
  if (!model) blockers.push({ code: 'LB_ERR_UNKNOWN_MODEL', message: `no capacity model named ${plan.model} (have: ${[...ctx.models.keys()].join(', ')})`, details: { model: plan.model } });
  const unknownServices = (intent.services ?? []).filter((s) => !index.groups.has(s));
  for (const s of unknownServices) blockers.push({ code: 'LB_ERR_UNKNOWN_SERVICE', message: `no managed Auto Scaling group serves ${s}`, details: { service: s } });
  if (blockers.length > 0 || !model) return plan;

  // Which DNS names move, and which services ride on them.
  const chosen = new Set(intent.services ?? index.services);
  const nameSet = new Set([...chosen].map((s) => index.trafficNameOf.get(s)).filter((n): n is string => !!n));
  if (!intent.services) for (const [name, shares] of index.sharesOf) if (shares.has(from)) nameSet.add(name);
  const names = [...nameSet].sort();
  const services = index.services.filter((s) => {
    const name = index.trafficNameOf.get(s);
    return name ? nameSet.has(name) : chosen.has(s);
  });
  for (const name of names) {
    if (!index.servicesOfName.has(name)) {
      warnings.push({ code: 'NAME_WITHOUT_SERVICE', message: `${name} moves without a capacity check: no managed group names it in lifeboat:traffic`, details: { name } });
    }
  }

  const contexts: ServiceContext[] = [];
  for (const s of services) {
    try {
      contexts.push(serviceContext(index, s, model, intent, plan.maxSizeGrowth));
    } catch (e) {
      if (!isLifeboatError(e)) throw e;
      blockers.push(e.toProblem());
    }
  }
  if (blockers.length > 0) return plan;

  // Where the traffic goes, name by name.
  const before: SharesByName = new Map();
  const after: SharesByName = new Map();
  const distribution = intent.distribution ?? 'proportional';
  for (const name of names) {
    const shares = index.sharesOf.get(name);
    if (!shares || !shares.has(from)) {
      warnings.push({ code: 'NAME_WITHOUT_REGION_RECORD', message: `${name} has no weighted record for ${from}; nothing of it moves`, details: { name, region: from } });
      continue;
    }
    if (shares.get(from) === 0) continue;
    const regionsOfName = [...shares.keys()];
    let target: Map<RegionCode, number>;
    if (typeof distribution === 'object') {
      if (intent.kind === 'evacuate' && (distribution.weights[from] ?? 0) > 0) {
        blockers.push({ code: 'LB_ERR_VALIDATION', message: `distribution.weights gives ${from} weight ${distribution.weights[from]}, but it is being evacuated`, details: { field: 'distribution.weights' } });
        continue;
      }
      target = sharesFromTargetWeights(regionsOfName, distribution.weights);
    } else {
      const recipients = to?.filter((r) => {
        if (shares.has(r)) return true;
        warnings.push({ code: 'RECIPIENT_WITHOUT_RECORD', message: `${name} has no weighted record for ${r}; it cannot receive this traffic`, details: { name, region: r } });
        return false;
      });
      const moved = moveShare({
        shares,
        from,
        fraction,
        ...(recipients ? { to: recipients } : {}),
        mode: distribution,
        ...(distribution === 'capacity-aware' ? { ceilings: nameCeilings(name, contexts, model) } : {}),
      });
      if (moved.recipients.length === 0) {
        blockers.push({ code: 'LB_ERR_NO_SERVING_REGION', message: `moving ${name} away from ${from} leaves no region serving it`, details: { name, region: from } });
        continue;
      }
      if (moved.unplaced > 0) {
        blockers.push({
          code: 'LB_ERR_SHORTFALL',
          message: `${name}: the other regions can take only ${pct(shares.get(from)! * fraction - moved.unplaced)} of the ${pct(shares.get(from)! * fraction)} leaving ${from} under their ceilings`,
          details: { name, region: from, unplaced: moved.unplaced },
        });
      }
      target = moved.shares;
    }
    if ([...target.values()].every((s) => s === 0)) {
      blockers.push({ code: 'LB_ERR_NO_SERVING_REGION', message: `moving ${name} away from ${from} leaves no region serving it`, details: { name, region: from } });
      continue;
    }
    before.set(name, new Map(shares));
    after.set(name, target);
  }

  // Services without a traffic record follow their own capacity, moved the same way.
  const serviceShares = new Map<string, { before: number[]; after: number[] }>();
  for (const c of contexts.filter((c) => !c.trafficName)) {
    // Without a traffic name, a service's share is its capacity share (see serviceContext).
    const shares = new Map(index.regions.map((r, i) => [r, c.inputs.share[i]!]));
    if ((shares.get(from) ?? 0) === 0) continue;
    const moved = moveShare({ shares, from, fraction, ...(to ? { to } : {}), mode: 'proportional' });
    serviceShares.set(c.service, { before: c.inputs.share, after: index.regions.map((r) => moved.shares.get(r) ?? 0) });
  }

  if (after.size === 0 && serviceShares.size === 0 && blockers.length === 0) {
    blockers.push({
      code: 'LB_ERR_REGION_ALREADY_EVACUATED',
      message: `${from} already serves no traffic${intent.services ? ` for ${intent.services.join(', ')}` : ''}; nothing to move`,
      details: { region: from },
    });
  }
  // A shortfall (traffic no region can take under its ceiling) still gets stages for what
  // can move: it is forcible, and a partial plan after a capacity timeout is exactly that.
  if (blockers.some((b) => b.code !== 'LB_ERR_SHORTFALL')) return plan;

  plan.names = [...after.keys()];
  const { services: servicePlans, groupChanges, instances, shortfalls, problems } = sizeServices(index, contexts, model, after, serviceShares, plan.maxSizeGrowth);
  plan.services = servicePlans;
  plan.groupChanges = groupChanges;
  blockers.push(...problems);
  if (shortfalls.length > 0) blockers.push(shortfallProblem(shortfalls));
  if (problems.length > 0) return plan;
  const planned = new Set(servicePlans.map((p) => p.service));

  plan.stages = buildStages({
    index,
    before,
    after,
    percents: stagePercents(intent.stages ?? ctx.defaultStages),
    model,
    services: contexts.filter((c) => planned.has(c.service)),
    serviceShares,
    instances,
  });
  return plan;
}

/** The most share of a name each region can serve: the tightest over the services on it. */
function nameCeilings(name: string, contexts: ServiceContext[], model: CapacityModel): Map<RegionCode, number> {
  const ceilings = new Map<RegionCode, number>();
  for (const c of contexts.filter((c) => c.trafficName === name)) {
    const servable = servableShare(model, c.inputs, c.ceilings, c.parameters);
    c.inputs.regions.forEach((r, i) => ceilings.set(r, Math.min(ceilings.get(r) ?? 1, servable[i]!)));
  }
  return ceilings;
}

function sizeServices(
  index: FleetIndex,
  contexts: ServiceContext[],
  model: CapacityModel,
  after: SharesByName,
  serviceShares: Map<string, { before: number[]; after: number[] }>,
  maxSizeGrowth: number,
) {
  const services: ServicePlan[] = [];
  const groupChanges: GroupChange[] = [];
  const instances = new Map<string, number[]>();
  const shortfalls: Problem['details'][] = [];
  const problems: Problem[] = [];
  for (const c of contexts) {
    let targetShare: number[];
    if (c.trafficName && after.has(c.trafficName)) targetShare = index.regions.map((r) => after.get(c.trafficName!)!.get(r) ?? 0);
    else if (serviceShares.has(c.service)) targetShare = serviceShares.get(c.service)!.after;
    else continue;
    let targets;
    try {
      targets = capacityTargets(c, model, targetShare);
    } catch (e) {
      if (!isLifeboatError(e)) throw e;
      problems.push(e.toProblem());
      continue;
    }
    services.push({ service: c.service, ...(c.trafficName ? { trafficName: c.trafficName } : {}), parameters: c.parameters, regions: targets });
    instances.set(c.service, targets.map((t) => t.target));
    for (const t of targets) {
      if (t.shortfall > 0) shortfalls.push({ service: t.service, region: t.region, required: t.required, ceiling: t.ceiling, short: t.shortfall });
      if (t.targetShare <= t.share + 1e-12) continue;
      // A region that gains traffic is pinned at its target: MinSize follows DesiredCapacity.
      const groups = c.groups.get(t.region) ?? [];
      const desired = distributeAcrossGroups(groups, t.target, maxSizeGrowth);
      groups.forEach((g, i) => {
        const change = groupChange(g, prescaleSize(g, desired[i]!));
        if (change) groupChanges.push(change);
      });
    }
  }
  return { services, groupChanges, instances, shortfalls, problems };
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}
