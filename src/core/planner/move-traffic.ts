import type { Problem } from '../errors';
import type { RegionCode } from '../fleet';
import { TAG_TRAFFIC } from '../fleet';
import type { EvacuateIntent, ShiftIntent } from '../intents';
import { servableShare } from '../models/evaluate-model';
import { moveShare, sharesFromTargetWeights } from '../redistribution';
import type { ServiceContext } from './capacity-targets';
import type { FleetIndex } from './fleet-index';
import type { Plan } from './plan-types';
import type { ServiceShares, SharesByName } from './stages';

/** A move in three numbers: the traffic of `from`, the `fraction` of it that moves, and where. */
export interface Move {
  from: RegionCode;
  /** 0..1; 1 evacuates. */
  fraction: number;
  /** The regions that receive it; undefined: every other region serving the name. */
  to: RegionCode[] | undefined;
}

/** What deciding a name's destination looks at besides the name. */
interface MoveAsk {
  intent: EvacuateIntent | ShiftIntent;
  move: Move;
  contexts: readonly ServiceContext[];
}

/** Where a step of the planner reports what it found: warnings, and blockers that stop the plan. */
type Findings = Pick<Plan, 'blockers' | 'warnings'>;

/**
 * Where the traffic goes, name by name: to explicit target weights when the intent gives
 * them, otherwise the region's share moved to the others (moveShare), in proportion to
 * what they serve or, capacity-aware, within what their capacity serves. A name without a
 * record in the region has nothing to move (a warning); a name with nowhere to go, or more
 * to move than the others can take, is a blocker.
 */
export function whereTrafficGoes(
  index: FleetIndex,
  intent: EvacuateIntent | ShiftIntent,
  move: Move,
  names: readonly string[],
  contexts: readonly ServiceContext[],
  findings: Findings,
): { before: SharesByName; after: SharesByName } {
  const before: SharesByName = new Map();
  const after: SharesByName = new Map();
  for (const name of names) {
    const shares = index.sharesOf.get(name);
    if (!shares || !shares.has(move.from)) {
      findings.warnings.push({ code: 'NAME_WITHOUT_REGION_RECORD', message: `${name} has no weighted record for ${move.from}; nothing of it moves`, details: { name, region: move.from } });
      continue;
    }
    if (shares.get(move.from) === 0) continue;
    const target = destinationShares(name, shares, { intent, move, contexts }, findings);
    if (!target) continue;
    if ([...target.values()].every((s) => s === 0)) {
      findings.blockers.push(noServingRegionProblem(name, move.from));
      continue;
    }
    before.set(name, new Map(shares));
    after.set(name, target);
  }
  return { before, after };
}

/** The shares a name ends with; undefined (with a blocker) when it cannot move. */
function destinationShares(name: string, shares: Map<RegionCode, number>, ask: MoveAsk, findings: Findings): Map<RegionCode, number> | undefined {
  const { intent, move } = ask;
  const distribution = intent.distribution ?? 'proportional';
  if (typeof distribution !== 'object') return sharesMoved(name, shares, distribution, ask, findings);
  if (intent.kind === 'evacuate' && (distribution.weights[move.from] ?? 0) > 0) {
    findings.blockers.push({
      code: 'LB_ERR_VALIDATION',
      message: `distribution.weights gives ${move.from} weight ${distribution.weights[move.from]}, but it is being evacuated`,
      details: { field: 'distribution.weights' },
    });
    return undefined;
  }
  return sharesFromTargetWeights([...shares.keys()], distribution.weights);
}

/**
 * The name's shares once `fraction` of the region's share has moved to the recipients that
 * have a record for it. What the recipients cannot take under their ceilings (capacity-aware)
 * stays where it is and blocks the plan as a shortfall, which can be forced.
 */
function sharesMoved(
  name: string,
  shares: Map<RegionCode, number>,
  mode: 'proportional' | 'capacity-aware',
  ask: MoveAsk,
  findings: Findings,
): Map<RegionCode, number> | undefined {
  const { from, fraction } = ask.move;
  const recipients = ask.move.to?.filter((r) => {
    if (shares.has(r)) return true;
    findings.warnings.push({ code: 'RECIPIENT_WITHOUT_RECORD', message: `${name} has no weighted record for ${r}; it cannot receive this traffic`, details: { name, region: r } });
    return false;
  });
  const moved = moveShare({
    shares,
    from,
    fraction,
    ...(recipients ? { to: recipients } : {}),
    mode,
    ...(mode === 'capacity-aware' ? { ceilings: nameCeilings(name, ask.contexts) } : {}),
  });
  if (moved.recipients.length === 0) {
    findings.blockers.push(noServingRegionProblem(name, from));
    return undefined;
  }
  if (moved.unplaced > 0) {
    findings.blockers.push({
      code: 'LB_ERR_SHORTFALL',
      message: `${name}: the other regions can take only ${pct(shares.get(from)! * fraction - moved.unplaced)} of the ${pct(shares.get(from)! * fraction)} leaving ${from} under their ceilings`,
      details: { name, region: from, unplaced: moved.unplaced },
    });
  }
  return moved.shares;
}

/**
 * The most share of a name each region can serve: the tightest over the services on it.
 *
 * Worked example: api and web on one name; api's ceilings serve 0.6 of it in us-west-2,
 * web's 0.5 → us-west-2 can take 0.5.
 */
function nameCeilings(name: string, contexts: readonly ServiceContext[]): Map<RegionCode, number> {
  const ceilings = new Map<RegionCode, number>();
  for (const c of contexts.filter((c) => c.trafficName === name)) {
    const servable = servableShare(c.model, c.inputs, c.ceilings, c.parameters);
    c.inputs.regions.forEach((r, i) => ceilings.set(r, Math.min(ceilings.get(r) ?? 1, servable[i]!)));
  }
  return ceilings;
}

/**
 * Services without a traffic record follow their own capacity, moved the same way to the
 * same recipients, proportionally whatever the intent's distribution. Without a traffic
 * name, a service's share is its capacity share (see serviceContext).
 *
 * Worked example: a worker running 6/3/3 instances in a/b/c has shares 0.5/0.25/0.25;
 * evacuating a gives it 0/0.5/0.5.
 */
export function sharesOfServicesWithoutTraffic(index: FleetIndex, contexts: readonly ServiceContext[], move: Move, findings: Findings): ServiceShares {
  const serviceShares: ServiceShares = new Map();
  for (const c of contexts.filter((c) => !c.trafficName)) {
    const shares = new Map(index.regions.map((r, i) => [r, c.inputs.share[i]!]));
    if ((shares.get(move.from) ?? 0) === 0) continue;
    const moved = moveShare({ shares, from: move.from, fraction: move.fraction, ...(move.to ? { to: move.to } : {}), mode: 'proportional' });
    // Running nowhere else, it has nowhere to go: refused, as a service with a traffic name is.
    if (moved.recipients.length === 0) {
      findings.blockers.push(noServingRegionForServiceProblem(c.service, move.from));
      continue;
    }
    serviceShares.set(c.service, { before: c.inputs.share, after: index.regions.map((r) => moved.shares.get(r) ?? 0) });
  }
  return serviceShares;
}

function noServingRegionProblem(name: string, from: RegionCode): Problem {
  return { code: 'LB_ERR_NO_SERVING_REGION', message: `moving ${name} away from ${from} leaves no region serving it`, details: { name, region: from } };
}

function noServingRegionForServiceProblem(service: string, from: RegionCode): Problem {
  return {
    code: 'LB_ERR_NO_SERVING_REGION',
    message: `${service} runs only in ${from} and has no traffic record (${TAG_TRAFFIC}) to steer: evacuating ${from} leaves no region serving it`,
    details: { service, region: from },
  };
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}
