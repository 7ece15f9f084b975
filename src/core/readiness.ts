import type { Problem } from './errors';
import type { FleetSnapshot, RegionCode } from './fleet';
import { plan } from './planner/plan';
import type { PlanContext } from './planner/plan-context';
import type { Plan, ServiceDemand, WarmCoverage } from './planner/plan-types';

interface SurvivorHeadroom {
  region: RegionCode;
  /** Instances it would need to absorb the evacuated region's share. */
  needed: number;
  /** Instances it could reach: Σ ceil(MaxSize × growth). */
  obtainable: number;
  /** obtainable − needed; negative is a shortfall. */
  headroom: number;
}

interface RegionReadiness {
  region: RegionCode;
  /** Whether the other regions could absorb this one right now, under their ceilings. */
  ready: boolean;
  /** Why not, when not. */
  blockers: Problem[];
  services: Array<{ service: string; survivors: SurvivorHeadroom[] }>;
  /** The smallest headroom of any survivor of any service (instances). */
  minHeadroom: number | null;
  /**
   * If this region were evacuated: per survivor that grows, how much of its growth its warm
   * pools cover (the evacuation plan's warmCoverage). Only when some group that would grow has a warm pool.
   */
  warmCoverage?: WarmCoverage[];
}

/** How a service is sized in these plans: the model (the one asked, or its fallback) and the demand figure. */
interface ServiceSizing {
  service: string;
  model: string;
  demand: ServiceDemand;
  fellBack?: { from: string; reason: string };
}

export interface ReadinessReport {
  computedAt: string;
  /** The model asked (the default); `services` says which model sized each service and from what demand. */
  model: string;
  services: ServiceSizing[];
  regions: RegionReadiness[];
  ready: boolean;
}

/**
 * N+1 readiness: for every region, plan its evacuation and see whether the survivors
 * could absorb it under their ceilings. A region that serves nothing is trivially ready.
 */
export function computeReadiness(snapshot: FleetSnapshot, ctx: PlanContext, computedAt: string): ReadinessReport {
  const plans = snapshot.regions.map((region) => plan(snapshot, { kind: 'evacuate', region }, ctx));
  const regions = snapshot.regions.map((region, i): RegionReadiness => {
    const p = plans[i]!;
    const alreadyOut = p.blockers.length > 0 && p.blockers.every((b) => b.code === 'LB_ERR_REGION_ALREADY_EVACUATED');
    const services = p.services.map((s) => ({
      service: s.service,
      survivors: s.regions
        .filter((r) => r.targetShare > r.share + 1e-12)
        .map((r) => {
          const needed = r.target + r.shortfall;
          return { region: r.region, needed, obtainable: r.ceiling, headroom: r.ceiling - needed };
        }),
    }));
    const headrooms = services.flatMap((s) => s.survivors.map((x) => x.headroom));
    return {
      region,
      ready: alreadyOut || p.blockers.length === 0,
      blockers: alreadyOut ? [] : p.blockers,
      services,
      minHeadroom: headrooms.length > 0 ? Math.min(...headrooms) : null,
      ...(p.warmCoverage ? { warmCoverage: p.warmCoverage } : {}),
    };
  });
  return { computedAt, model: ctx.defaultModel, services: sizingOf(plans), regions, ready: regions.every((r) => r.ready) };
}

/** Each service's model and demand, as the first plan that sizes it says (the demand does not depend on the region evacuated). */
function sizingOf(plans: readonly Plan[]): ServiceSizing[] {
  const seen = new Map<string, ServiceSizing>();
  for (const p of plans) {
    for (const s of p.services) {
      if (!seen.has(s.service)) seen.set(s.service, { service: s.service, model: s.model, demand: s.demand, ...(s.fellBack ? { fellBack: s.fellBack } : {}) });
    }
  }
  return [...seen.values()].sort((a, b) => a.service.localeCompare(b.service));
}
