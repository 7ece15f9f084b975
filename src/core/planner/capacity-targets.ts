import type { Problem } from '../errors';
import { isLifeboatError } from '../errors';
import type { ManagedGroup, RegionCode } from '../fleet';
import type { CapacityModel, ModelCatalog } from '../models/capacity-model';
import type { ModelParameters, ServiceModelInputs } from '../models/evaluate-model';
import { requiredInstances } from '../models/evaluate-model';
import type { FleetIndex } from './fleet-index';
import { groupCeiling } from './fleet-index';
import type { CapacityTarget, PlanWarning, ServiceDemand, ServicePlan } from './plan-types';
import type { ServiceSizing } from './service-model';
import { fallbackWarning, sizingOf } from './service-model';

/** Everything needed to size one service, gathered once per plan. */
export interface ServiceContext {
  service: string;
  trafficName?: string;
  /** The model that sizes it: the one asked, or its fallback when that cannot (see service-model.ts). */
  model: CapacityModel;
  demand: ServiceDemand;
  fellBack?: ServiceSizing['fellBack'];
  inputs: ServiceModelInputs;
  parameters: ModelParameters;
  groups: Map<RegionCode, ManagedGroup[]>;
  /** Most instances obtainable per region (Σ group ceilings). */
  ceilings: number[];
}

interface ParameterChoice {
  parameters?: Record<string, number>;
  serviceParameters?: Record<string, Record<string, number>>;
  headroom?: number;
}

/** The model asked for a plan, the catalog its fallbacks come from, and the MaxSize growth allowed. */
export interface Sizing {
  model: CapacityModel;
  models: ModelCatalog;
  maxSizeGrowth: number;
}

/** Throws LifeboatError (LB_ERR_MODEL_PARAMETER, LB_ERR_MODEL_INPUT_MISSING) when the service cannot be sized. */
export function serviceContext(index: FleetIndex, service: string, choice: ParameterChoice, sizing: Sizing): ServiceContext {
  const regions = index.regions;
  const groups = index.groups.get(service) ?? new Map<RegionCode, ManagedGroup[]>();
  const cap = index.capacity.get(service);
  const at = (r: RegionCode) => cap?.get(r);
  const current = regions.map((r) => at(r)?.desiredCapacity ?? 0);
  const trafficName = index.trafficNameOf.get(service);
  const share = trafficName ? regions.map((r) => index.sharesOf.get(trafficName)?.get(r) ?? 0) : capacityShares(current);
  const overrides = {
    ...(choice.parameters ?? {}),
    ...(choice.headroom !== undefined ? { headroom: choice.headroom } : {}),
    ...(choice.serviceParameters?.[service] ?? {}),
  };
  const inService = regions.map((r) => at(r)?.inService ?? 0);
  const chosen = sizingOf(index, service, sizing.model, sizing.models, overrides, { share, inService });
  return {
    service,
    ...(trafficName ? { trafficName } : {}),
    model: chosen.model,
    demand: chosen.demand,
    ...(chosen.fellBack ? { fellBack: chosen.fellBack } : {}),
    inputs: {
      service,
      regions,
      current,
      inService,
      minSize: regions.map((r) => at(r)?.minSize ?? 0),
      maxSize: regions.map((r) => at(r)?.maxSize ?? 0),
      share,
      targetShare: share,
      capacityPerInstance: regions.map((r) => at(r)?.capacityPerInstance ?? NaN),
      ...(chosen.load ?? {}),
    },
    parameters: chosen.parameters,
    groups,
    ceilings: regions.map((r) => (groups.get(r) ?? []).reduce((a, g) => a + groupCeiling(g, sizing.maxSizeGrowth), 0)),
  };
}

/**
 * The contexts of the services a plan sizes, and the problems of those it cannot gather
 * (a model parameter that does not fit one service). Both planners gather the same way;
 * they differ in what a problem means: a move is blocked by it, a restore only warns, since
 * the region's old capacity comes back whatever the model says.
 */
export function serviceContexts(
  index: FleetIndex,
  services: readonly string[],
  choice: ParameterChoice,
  sizing: Sizing,
): { contexts: ServiceContext[]; problems: Problem[]; warnings: PlanWarning[] } {
  const contexts: ServiceContext[] = [];
  const problems: Problem[] = [];
  const warnings: PlanWarning[] = [];
  for (const service of services) {
    try {
      const c = serviceContext(index, service, choice, sizing);
      contexts.push(c);
      const warning = fallbackWarning(service, c);
      if (warning) warnings.push(warning);
    } catch (e) {
      if (!isLifeboatError(e)) throw e;
      problems.push(e.toProblem());
    }
  }
  return { contexts, problems, warnings };
}

/**
 * The share each region gets of the service's traffic once its DNS name has moved, in the
 * fleet's region order; undefined when the service has no name or its name does not move.
 *
 * Worked example: regions [us-east-1, us-west-2, eu-west-1], api.example.com moving to
 * {us-west-2: 0.5, eu-west-1: 0.5} → [0, 0.5, 0.5] (a region without a record gets 0).
 */
export function movedShareOf(
  ctx: ServiceContext,
  after: ReadonlyMap<string, ReadonlyMap<RegionCode, number>>,
  regions: readonly RegionCode[],
): number[] | undefined {
  const shares = ctx.trafficName ? after.get(ctx.trafficName) : undefined;
  return shares ? regions.map((r) => shares.get(r) ?? 0) : undefined;
}

/** A service's verdict per region as the plan shows it. */
export function servicePlan(ctx: ServiceContext, regions: CapacityTarget[]): ServicePlan {
  return {
    service: ctx.service,
    ...(ctx.trafficName ? { trafficName: ctx.trafficName } : {}),
    model: ctx.model.name,
    demand: ctx.demand,
    ...(ctx.fellBack ? { fellBack: ctx.fellBack } : {}),
    parameters: ctx.parameters,
    regions,
  };
}

/** The regions that cannot reach what they need under their ceiling, as shortfallProblem lists them. */
export function shortfallsOf(targets: readonly CapacityTarget[]): Problem['details'][] {
  return targets
    .filter((t) => t.shortfall > 0)
    .map((t) => ({ service: t.service, region: t.region, required: t.required, ceiling: t.ceiling, short: t.shortfall }));
}

/** A service without a traffic record is assumed to carry load in proportion to what it runs. */
function capacityShares(current: number[]): number[] {
  const total = current.reduce((a, b) => a + b, 0);
  return current.map((c) => (total > 0 ? c / total : 0));
}

/**
 * Per region: what the model requires at the target share and what lifeboat will set.
 * A region that gains traffic goes to max(current, required), capped at its ceiling (the
 * rest is the shortfall); a region that does not gain is left alone: lifeboat never
 * shrinks capacity in the middle of moving traffic.
 */
export function capacityTargets(ctx: ServiceContext, targetShare: number[]): CapacityTarget[] {
  const { inputs } = ctx;
  const required = requiredInstances(ctx.model, { ...inputs, targetShare }, ctx.parameters);
  return inputs.regions.map((region, i) => {
    const current = inputs.current[i]!;
    const gains = targetShare[i]! > inputs.share[i]! + 1e-12;
    const wanted = gains ? Math.max(current, required[i]!) : current;
    const ceiling = Math.max(ctx.ceilings[i]!, current);
    return {
      service: ctx.service,
      region,
      share: inputs.share[i]!,
      targetShare: targetShare[i]!,
      current,
      inService: inputs.inService[i]!,
      required: required[i]!,
      target: Math.min(wanted, ceiling),
      ceiling,
      shortfall: Math.max(0, wanted - ceiling),
    };
  });
}
