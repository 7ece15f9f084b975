import type { FleetSnapshot, RegionCode } from '../fleet';
import type { EvacuateIntent } from '../intents';
import { requiredInstances, servableShare } from '../models/evaluate-model';
import { sharesFromWeights } from '../snapshot';
import { sharesToWeights } from '../weights';
import type { ServiceContext } from './capacity-targets';
import { serviceContexts } from './capacity-targets';
import { indexFleet } from './fleet-index';
import type { PlanContext } from './plan-context';
import type { Plan } from './plan-types';

/**
 * Capacity-following stages (`pace: "capacity"`): instead of waiting for every survivor's
 * new capacity before the first user moves, each DNS name moves at once what the survivors'
 * instances in service serve (their headroom), then more as capacity comes into service.
 * No region is ever given more of a name than max(what it had, what its instances in
 * service serve at the model's target), by the model's `servable`. Each name advances on
 * its own: one service's slow survivor does not hold back another's.
 */

/** How an evacuation moves its traffic: as capacity comes into service (the default), or in the planned stages after all of it. */
export type Pace = 'capacity' | 'stages';

/**
 * An evacuation with `fallback: "switch"` moves in the planned stages: the switch stands in for
 * a stage's weight change when Route 53's change API fails, and paced stages have no such step.
 */
export function paceOf(intent: { kind: string; pace?: Pace | undefined; fallback?: string | undefined }): Pace {
  if (intent.kind !== 'evacuate' || intent.fallback === 'switch') return 'stages';
  return intent.pace ?? 'capacity';
}

/** What justified one region's share of a name in a paced stage. */
export interface PacedCapacity {
  service: string;
  region: RegionCode;
  /** Instances in service when the stage was computed. */
  inService: number;
  /** Share of the service's traffic those instances serve at the model's target. */
  servable: number;
}

export interface PacedNameInput {
  name: string;
  /** The region being evacuated: it gives what the others take. */
  failing: RegionCode;
  /** Shares per region before the operation (the snapshot's). */
  before: ReadonlyMap<RegionCode, number>;
  /** Weights in force now, per region with a record. */
  weightsNow: ReadonlyMap<RegionCode, number>;
  /** Weights the whole move ends on (the plan's last stage). */
  finalWeights: ReadonlyMap<RegionCode, number>;
  /** The services riding on the name, each with its model (none: the name moves blind, at once). */
  services: readonly ServiceContext[];
  /** Instances in service now per service, in its context's region order. */
  inService: ReadonlyMap<string, readonly number[]>;
}

export interface PacedStep {
  name: string;
  /** Absolute weights to set; the weights in force when nothing can move. */
  weights: Map<RegionCode, number>;
  shares: Map<RegionCode, number>;
  /** Per service and survivor region, the capacity the shares were judged against. */
  capacity: PacedCapacity[];
  /** Whether these weights differ from those in force. */
  changes: boolean;
  /** Whether the failing region has no share left with these weights. */
  done: boolean;
}

const EPS = 1e-9;

/** Per survivor region, the share of the name its instances in service serve: the tightest over the services on it. */
export function servableOfName(input: Pick<PacedNameInput, 'services' | 'inService' | 'failing'>): { servable: Map<RegionCode, number>; capacity: PacedCapacity[] } {
  const servable = new Map<RegionCode, number>();
  const capacity: PacedCapacity[] = [];
  for (const c of input.services) {
    const instances = [...(input.inService.get(c.service) ?? c.inputs.inService)];
    const shares = servableShare(c.model, c.inputs, instances, c.parameters);
    c.inputs.regions.forEach((r, i) => {
      if (r === input.failing) return;
      servable.set(r, Math.min(servable.get(r) ?? 1, shares[i]!));
      capacity.push({ service: c.service, region: r, inService: instances[i]!, servable: shares[i]! });
    });
  }
  return { servable, capacity };
}

/**
 * The most each survivor may carry of the name now: what it carries already, or what its
 * capacity in service serves if that is more. Exported so tests and verification bound
 * stages the same way.
 */
export function pacedCeilings(now: ReadonlyMap<RegionCode, number>, servable: ReadonlyMap<RegionCode, number>, failing: RegionCode): Map<RegionCode, number> {
  const ceilings = new Map<RegionCode, number>();
  for (const [r, share] of now) if (r !== failing) ceilings.set(r, Math.max(share, servable.get(r) ?? share));
  return ceilings;
}

/**
 * The next stage of one name: every survivor takes what its capacity serves, up to its
 * share at the end of the move (headroom first, then each instance as it comes into
 * service); the failing region keeps the rest. Absolute weights, so computing it twice on
 * the same capacity gives the same stage.
 */
export function nextPacedStage(input: PacedNameInput): PacedStep {
  const { name, failing, weightsNow, finalWeights } = input;
  const now = sharesFromWeights(weightsNow);
  const target = sharesFromWeights(finalWeights);
  if (input.services.length === 0) return stepOf(name, failing, weightsNow, new Map(finalWeights), []);
  const { servable, capacity } = servableOfName(input);
  const ceilings = pacedCeilings(now, servable, failing);
  const wanted = new Map<RegionCode, number>();
  for (const r of now.keys()) if (r !== failing) wanted.set(r, Math.max(now.get(r)!, Math.min(target.get(r) ?? 0, ceilings.get(r)!)));
  const reachesTarget = [...wanted].every(([r, s]) => Math.abs(s - (target.get(r) ?? 0)) < EPS);
  if (reachesTarget && withinCeilings(sharesFromWeights(finalWeights), now, ceilings, failing)) return stepOf(name, failing, weightsNow, new Map(finalWeights), capacity);

  // Whole weights may round a region up: lower its share until the weights keep within its ceiling.
  for (let attempt = 0; attempt < 8; attempt++) {
    const weights = weightsFor(wanted, failing, weightsNow, ceilings);
    if (!weights) break;
    const implied = sharesFromWeights(weights);
    // Rounding must never hand the failing region more than it has now (1/31 → 9/272).
    if ((implied.get(failing) ?? 0) > (now.get(failing) ?? 0) + EPS) break;
    const over = [...ceilings].filter(([r, ceiling]) => (implied.get(r) ?? 0) > ceiling + EPS && (implied.get(r) ?? 0) > (now.get(r) ?? 0) + EPS);
    if (over.length === 0) return stepOf(name, failing, weightsNow, weights, capacity);
    for (const [r, ceiling] of over) wanted.set(r, Math.max(now.get(r)!, wanted.get(r)! - ((implied.get(r) ?? 0) - ceiling) - 1 / 255));
  }
  return stepOf(name, failing, weightsNow, new Map(weightsNow), capacity);
}

/**
 * When the capacity in service drops under a name (a survivor lowered, instances lost or
 * impaired): the weights that keep every survivor within what it may carry now — max(its
 * share before the operation, what its instances in service serve) — as the planned stages'
 * fallback does. Each survivor over that comes down to it, the others keep their share, and
 * the failing region takes back the rest (the next stage moves it again as capacity returns).
 * Undefined when no survivor is over. Absolute weights: computing it twice on the same
 * capacity gives the same weights.
 */
export function pacedFallback(input: Omit<PacedNameInput, 'finalWeights'>): PacedStep | undefined {
  const { name, failing, weightsNow, before } = input;
  if (input.services.length === 0) return undefined;
  const now = sharesFromWeights(weightsNow);
  const { servable, capacity } = servableOfName(input);
  if (overCapacity(now, before, servable, failing).length === 0) return undefined;
  const ceilings = new Map<RegionCode, number>();
  for (const r of now.keys()) if (r !== failing) ceilings.set(r, Math.max(before.get(r) ?? 0, servable.get(r) ?? before.get(r) ?? 0));
  const wanted = new Map([...ceilings].map(([r, ceiling]) => [r, Math.min(now.get(r)!, ceiling)]));
  // Whole weights may round a region up: lower its share until the weights keep within its ceiling.
  for (let attempt = 0; attempt < 8; attempt++) {
    const weights = weightsFor(wanted, failing, weightsNow, ceilings);
    if (!weights) break;
    const implied = sharesFromWeights(weights);
    const over = [...ceilings].filter(([r, ceiling]) => (implied.get(r) ?? 0) > ceiling + EPS);
    if (over.length === 0) return stepOf(name, failing, weightsNow, weights, capacity);
    for (const [r, ceiling] of over) wanted.set(r, Math.max(0, wanted.get(r)! - ((implied.get(r) ?? 0) - ceiling) - 1 / 255));
  }
  // No weights within the ceilings (the failing region has no record to take the rest): nothing to set.
  return stepOf(name, failing, weightsNow, new Map(weightsNow), capacity);
}

function weightsFor(wanted: ReadonlyMap<RegionCode, number>, failing: RegionCode, weightsNow: ReadonlyMap<RegionCode, number>, ceilings: ReadonlyMap<RegionCode, number>): Map<RegionCode, number> | undefined {
  const others = [...wanted.values()].reduce((a, b) => a + b, 0);
  const rest = 1 - others;
  const shares = new Map(wanted);
  if (weightsNow.has(failing)) shares.set(failing, rest < EPS ? 0 : rest);
  if (![...shares.values()].some((s) => s > 0)) return undefined;
  const roundingCeilings = new Map([...ceilings].map(([r, c]) => [r, Math.max(c, shares.get(r) ?? 0)]));
  // Rounding never gives the failing region more than it has now (or than a fallback gives it back).
  if (weightsNow.has(failing)) roundingCeilings.set(failing, Math.max(sharesFromWeights(weightsNow).get(failing)!, shares.get(failing)!));
  return sharesToWeights(shares, weightsNow, roundingCeilings);
}

function withinCeilings(shares: ReadonlyMap<RegionCode, number>, now: ReadonlyMap<RegionCode, number>, ceilings: ReadonlyMap<RegionCode, number>, failing: RegionCode): boolean {
  return [...shares].every(([r, s]) => r === failing || s <= (ceilings.get(r) ?? 0) + EPS || s <= (now.get(r) ?? 0) + EPS);
}

function stepOf(name: string, failing: RegionCode, weightsNow: ReadonlyMap<RegionCode, number>, weights: Map<RegionCode, number>, capacity: PacedCapacity[]): PacedStep {
  const changes = [...weights].some(([r, w]) => weightsNow.get(r) !== w);
  return { name, weights, shares: sharesFromWeights(weights), capacity, changes, done: (weights.get(failing) ?? 0) === 0 };
}

/**
 * The survivors of a stage that carry more of the name than both what they carried before
 * the operation and what their capacity serves: what verification reports. Empty when the
 * stage is within its capacity.
 */
export function overCapacity(
  shares: ReadonlyMap<RegionCode, number>,
  before: ReadonlyMap<RegionCode, number>,
  servable: ReadonlyMap<RegionCode, number>,
  failing: RegionCode,
): Array<{ region: RegionCode; share: number; servable: number }> {
  return [...shares]
    .filter(([r, s]) => r !== failing && s > (before.get(r) ?? 0) + EPS && s > (servable.get(r) ?? 0) + EPS)
    .map(([region, share]) => ({ region, share, servable: servable.get(region) ?? 0 }));
}

/**
 * Per service on the name and survivor region with a share: the share it carries, the
 * instances in service, the instances that share needs at the model's target, and whether
 * those in service serve it. What a paced fallback reports when it ends the operation.
 */
export function servedOfName(
  input: Pick<PacedNameInput, 'services' | 'inService' | 'failing'> & { shares: ReadonlyMap<RegionCode, number> },
): Array<{ service: string; region: RegionCode; share: number; inService: number; needed: number; served: boolean }> {
  return input.services.flatMap((c) => {
    const instances = [...(input.inService.get(c.service) ?? c.inputs.inService)];
    const targetShare = c.inputs.regions.map((r) => input.shares.get(r) ?? 0);
    const needed = requiredInstances(c.model, { ...c.inputs, inService: instances, targetShare }, c.parameters);
    return c.inputs.regions
      .map((region, i) => ({ service: c.service, region, share: targetShare[i]!, inService: instances[i]!, needed: needed[i]!, served: needed[i]! <= instances[i]! }))
      .filter((r) => r.region !== input.failing && r.share > 0);
  });
}

/** The model contexts of the services a paced evacuation moves, per DNS name, gathered as the plan gathered them. */
export function pacedContexts(snapshot: FleetSnapshot, intent: EvacuateIntent, plan: Plan, ctx: PlanContext): Map<string, ServiceContext[]> {
  const index = indexFleet(snapshot);
  const model = ctx.models.get(plan.model);
  const byName = new Map<string, ServiceContext[]>(plan.names.map((n) => [n, []]));
  if (!model) return byName;
  const services = plan.services.map((s) => s.service);
  const { contexts } = serviceContexts(index, services, intent, { model, models: ctx.models, maxSizeGrowth: plan.maxSizeGrowth });
  for (const c of contexts) if (c.trafficName && byName.has(c.trafficName)) byName.get(c.trafficName)!.push(c);
  return byName;
}
