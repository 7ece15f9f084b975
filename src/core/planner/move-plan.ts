import type { Problem } from '../errors';
import type { EvacuateIntent, ShiftIntent } from '../intents';
import { serviceContexts } from './capacity-targets';
import type { FleetIndex } from './fleet-index';
import { unknownServiceProblem } from './plan-context';
import { sizeServicesForMove } from './move-capacity';
import type { Move } from './move-traffic';
import { sharesOfServicesWithoutTraffic, whereTrafficGoes } from './move-traffic';
import type { PlanContext } from './plan-context';
import { emptyPlan, shortfallProblem, unknownRegionProblem } from './plan-context';
import type { Plan, PlanWarning } from './plan-types';
import { buildStages, stagePercents } from './stages';

/**
 * Evacuate a region, or shift part of its traffic: where its share goes, what every
 * region that gains must run first, and the weights stage by stage.
 *
 * Worked example: api runs 10 instances (MaxSize 20) with weight 100 in each of us-east-1,
 * us-west-2 and eu-west-1. Evacuating us-east-1 (proportional model, 10% headroom): the
 * survivors go from 1/3 to 1/2 of the traffic and need 10 + 10 × (1/6 ÷ 1/3) × 1.1 = 15.5 →
 * 16 instances each, so both are prescaled to {MinSize 16, Desired 16} first; then two
 * stages, weights 50/125/125 and 0/150/150.
 */
export function planMove(index: FleetIndex, intent: EvacuateIntent | ShiftIntent, ctx: PlanContext): Plan {
  const move = moveOf(intent);
  const plan = emptyPlan(index, intent, ctx);
  plan.region = move.from;
  const { blockers, warnings } = plan;
  blockers.push(...moveRequestProblems(index, intent, move, ctx, plan.model));
  const model = ctx.models.get(plan.model);
  if (blockers.length > 0 || !model) return plan;

  const { names, services } = whatMoves(index, intent, move);
  warnings.push(...namesWithoutService(index, names));
  const { contexts, problems, warnings: sizingWarnings } = serviceContexts(index, services, intent, { model, models: ctx.models, maxSizeGrowth: plan.maxSizeGrowth });
  warnings.push(...sizingWarnings);
  blockers.push(...problems);
  if (blockers.length > 0) return plan;

  const { before, after } = whereTrafficGoes(index, intent, move, names, contexts, plan);
  const serviceShares = sharesOfServicesWithoutTraffic(index, contexts, move, plan);
  if (after.size === 0 && serviceShares.size === 0 && blockers.length === 0) blockers.push(alreadyEvacuatedProblem(intent, move));
  // A shortfall (traffic no region can take under its ceiling) still gets stages for what
  // can move: it is forcible, and a partial plan after a capacity timeout is exactly that.
  if (blockers.some((b) => b.code !== 'LB_ERR_SHORTFALL')) return plan;

  plan.names = [...after.keys()];
  const sizing = sizeServicesForMove(index, contexts, after, serviceShares, plan.maxSizeGrowth);
  plan.services = sizing.services;
  plan.groupChanges = sizing.groupChanges;
  blockers.push(...sizing.problems);
  if (sizing.shortfalls.length > 0) blockers.push(shortfallProblem(sizing.shortfalls, contexts));
  if (sizing.problems.length > 0) return plan;

  const planned = new Set(sizing.services.map((p) => p.service));
  plan.stages = buildStages({
    index,
    before,
    after,
    percents: stagePercents(intent.stages ?? ctx.defaultStages),
    services: contexts.filter((c) => planned.has(c.service)),
    serviceShares,
    instances: sizing.instances,
  });
  return plan;
}

/** An evacuation is a shift of all of a region's traffic to every other region serving. */
function moveOf(intent: EvacuateIntent | ShiftIntent): Move {
  if (intent.kind === 'evacuate') return { from: intent.region, fraction: 1, to: undefined };
  return { from: intent.from, fraction: intent.percent / 100, to: intent.to === undefined ? undefined : Array.isArray(intent.to) ? intent.to : [intent.to] };
}

/** What makes the request impossible whatever the fleet: unknown regions, model or services, or a shift to itself. */
function moveRequestProblems(index: FleetIndex, intent: EvacuateIntent | ShiftIntent, move: Move, ctx: PlanContext, modelName: string): Problem[] {
  const problems: Problem[] = [];
  for (const region of [move.from, ...(move.to ?? [])]) {
    if (!index.regions.includes(region)) problems.push(unknownRegionProblem(index, region));
  }
  if (move.to?.includes(move.from)) problems.push({ code: 'LB_ERR_VALIDATION', message: `cannot shift traffic from ${move.from} to itself`, details: { field: 'to' } });
  if (!ctx.models.get(modelName)) {
    problems.push({ code: 'LB_ERR_UNKNOWN_MODEL', message: `no capacity model named ${modelName} (have: ${[...ctx.models.keys()].join(', ')})`, details: { model: modelName } });
  }
  for (const s of (intent.services ?? []).filter((s) => !index.groups.has(s))) {
    problems.push(unknownServiceProblem(index, s));
  }
  return problems;
}

/**
 * Which DNS names move, and which services ride on them. The services asked for bring
 * their names; when none is named, so does every name with a record in the region. A
 * service moves with its name, so a name shared by two services moves both; a service
 * without a name moves when it is chosen.
 *
 * Worked example: api and web on api.example.com, img on img.example.com; services [api]
 * → names [api.example.com], services [api, web].
 */
function whatMoves(index: FleetIndex, intent: EvacuateIntent | ShiftIntent, move: Move): { names: string[]; services: string[] } {
  const chosen = new Set(intent.services ?? index.services);
  const nameSet = new Set([...chosen].map((s) => index.trafficNameOf.get(s)).filter((n): n is string => !!n));
  if (!intent.services) for (const [name, shares] of index.sharesOf) if (shares.has(move.from)) nameSet.add(name);
  const services = index.services.filter((s) => {
    const name = index.trafficNameOf.get(s);
    return name ? nameSet.has(name) : chosen.has(s);
  });
  return { names: [...nameSet].sort(), services };
}

/** A name no managed group claims moves blind: nothing says whether the regions that gain can carry it. */
function namesWithoutService(index: FleetIndex, names: readonly string[]): PlanWarning[] {
  return names
    .filter((name) => !index.servicesOfName.has(name))
    .map((name) => ({ code: 'NAME_WITHOUT_SERVICE', message: `${name} moves without a capacity check: no managed group names it in lifeboat:traffic`, details: { name } }));
}

function alreadyEvacuatedProblem(intent: EvacuateIntent | ShiftIntent, move: Move): Problem {
  return {
    code: 'LB_ERR_REGION_ALREADY_EVACUATED',
    message: `${move.from} already serves no traffic${intent.services ? ` for ${intent.services.join(', ')}` : ''}; nothing to move`,
    details: { region: move.from },
  };
}
