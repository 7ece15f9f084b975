import type { RegionCode } from '../fleet';
import { recordKey } from '../fleet';
import { appendTo } from '../maps';
import { requiredInstances, servableShare } from '../models/evaluate-model';
import { interpolateShares } from '../redistribution';
import { sharesFromWeights } from '../snapshot';
import { sharesToWeights } from '../weights';
import type { ServiceContext } from './capacity-targets';
import type { FleetIndex } from './fleet-index';
import type { RegionLoad, Stage, WeightChange } from './plan-types';

export type SharesByName = Map<string, Map<RegionCode, number>>;

/** Per service without a traffic record: its share per region (region order) before and after the move. */
export type ServiceShares = Map<string, { before: number[]; after: number[] }>;

/** Cumulative percentages of the move after each stage: 3 → [33.3, 66.7, 100]. */
export function stagePercents(stages: number | number[]): number[] {
  if (Array.isArray(stages)) return stages;
  return Array.from({ length: stages }, (_, i) => (i + 1 === stages ? 100 : Math.round(((i + 1) * 1000) / stages) / 10));
}

interface StageInput {
  index: FleetIndex;
  /** Shares per name before and after the whole move. */
  before: SharesByName;
  after: SharesByName;
  percents: number[];
  /** Exact weights for the last stage (a restore puts back the old weights, not equivalent ones). */
  finalWeights?: Map<string, Map<RegionCode, number>>;
  /** The services whose load the stages judge, each with the model that sized it. */
  services: ServiceContext[];
  /** Shares of services that have no traffic record, before and after. */
  serviceShares: ServiceShares;
  /** Instances each service runs per region once prescaled. */
  instances: Map<string, number[]>;
  /** A restore's fleet before the evacuation, per service: a region is never judged to need more for a share than it ran when it served as much. */
  servedBefore?: Map<string, { share: number[]; instances: number[] }>;
}

/**
 * Weights per stage, and what each stage will do to every region: the shares its
 * (rounded) weights really imply, and the load those shares put on the prescaled fleet.
 * A stage whose rounded weights change nothing is dropped.
 */
export function buildStages(input: StageInput): Stage[] {
  const { index, before, after, percents } = input;
  const names = [...after.keys()];
  const weightsNow = new Map(names.map((n) => [n, new Map(index.weightsOf.get(n) ?? [])]));
  const recordWeight = new Map(index.snapshot.records.map((r) => [recordKey(r), r.weight]));
  const servicesOf = new Map<string, ServiceContext[]>();
  for (const c of input.services) if (c.trafficName) appendTo(servicesOf, c.trafficName, c);
  const servable = new Map(names.map((n) => [n, servableOfName(input, servicesOf.get(n) ?? [])]));
  const stages: Stage[] = [];

  percents.forEach((percent, k) => {
    const last = k === percents.length - 1;
    const weights: WeightChange[] = [];
    const stageShares: SharesByName = new Map();
    for (const name of names) {
      const shares = interpolateShares(before.get(name)!, after.get(name)!, percent / 100);
      const prev = weightsNow.get(name)!;
      const next = last && input.finalWeights?.has(name) ? input.finalWeights.get(name)! : sharesToWeights(shares, prev, roundingCeilings(servable.get(name), before.get(name)!, shares));
      for (const record of index.recordsOf.get(name) ?? []) {
        const to = next.get(record.region);
        const key = recordKey(record);
        if (to === undefined || recordWeight.get(key) === to) continue;
        weights.push({ zoneId: record.zoneId, name, type: record.type, region: record.region, setIdentifier: record.setIdentifier, from: recordWeight.get(key)!, to });
        recordWeight.set(key, to);
      }
      weightsNow.set(name, new Map(next));
      stageShares.set(name, sharesFromWeights(next));
    }
    if (weights.length === 0 && !last) return;
    if (weights.length === 0 && last && stages.length > 0) return;
    stages.push({
      index: stages.length + 1,
      percent,
      weights,
      traffic: names.flatMap((name) =>
        [...stageShares.get(name)!].map(([region, share]) => ({ name, region, weight: weightsNow.get(name)!.get(region)!, share })),
      ),
      load: stageLoad(input, stageShares, percent),
    });
  });
  return stages;
}

/** The share of a name each region's prescaled instances serve: the tightest over the services on it. */
function servableOfName(input: StageInput, services: readonly ServiceContext[]): Map<RegionCode, number> | undefined {
  if (services.length === 0) return undefined;
  const servable = new Map<RegionCode, number>();
  for (const c of services) {
    const shares = servableShare(c.model, c.inputs, input.instances.get(c.service) ?? c.inputs.current, c.parameters);
    c.inputs.regions.forEach((r, i) => servable.set(r, Math.min(servable.get(r) ?? 1, shares[i]!)));
  }
  return servable;
}

/**
 * How far rounding to whole weights may raise a region that gains traffic: to the share its
 * prescaled instances serve, never below the share meant. A region filled to its capacity
 * (capacity-aware, or a partial plan after a capacity timeout) then never gets a weight unit
 * more than it can serve.
 */
function roundingCeilings(
  servable: ReadonlyMap<RegionCode, number> | undefined,
  before: ReadonlyMap<RegionCode, number>,
  shares: ReadonlyMap<RegionCode, number>,
): Map<RegionCode, number> | undefined {
  if (!servable) return undefined;
  const ceilings = new Map<RegionCode, number>();
  for (const [r, share] of shares) {
    const most = servable.get(r);
    if (most !== undefined && share > (before.get(r) ?? 0)) ceilings.set(r, Math.max(share, most));
  }
  return ceilings;
}

function stageLoad(input: StageInput, stageShares: SharesByName, percent: number): RegionLoad[] {
  const loads: RegionLoad[] = [];
  for (const ctx of input.services) {
    const regions = ctx.inputs.regions;
    let share: number[];
    if (ctx.trafficName && stageShares.has(ctx.trafficName)) {
      const s = stageShares.get(ctx.trafficName)!;
      share = regions.map((r) => s.get(r) ?? 0);
    } else {
      const v = input.serviceShares.get(ctx.service);
      share = v ? v.before.map((b, i) => b + (v.after[i]! - b) * (percent / 100)) : ctx.inputs.share;
    }
    const asked = requiredInstances(ctx.model, { ...ctx.inputs, targetShare: share }, ctx.parameters);
    const before = input.servedBefore?.get(ctx.service);
    const needed = before ? asked.map((n, i) => (share[i]! <= before.share[i]! + 1e-12 ? Math.min(n, before.instances[i]!) : n)) : asked;
    const instances = input.instances.get(ctx.service) ?? ctx.inputs.current;
    regions.forEach((region, i) => {
      const n = instances[i]!;
      loads.push({
        service: ctx.service,
        region,
        share: share[i]!,
        instances: n,
        needed: needed[i]!,
        loadFactor: n > 0 ? needed[i]! / n : needed[i]! > 0 ? null : 0,
      });
    });
  }
  return loads;
}
