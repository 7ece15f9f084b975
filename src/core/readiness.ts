import type { Problem } from './errors';
import type { FleetSnapshot, RegionCode } from './fleet';
import { plan } from './planner/plan';
import type { PlanContext } from './planner/plan-context';

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
}

export interface ReadinessReport {
  computedAt: string;
  model: string;
  regions: RegionReadiness[];
  ready: boolean;
}

/**
 * N+1 readiness: for every region, plan its evacuation and see whether the survivors
 * could absorb it under their ceilings. A region that serves nothing is trivially ready.
 */
export function computeReadiness(snapshot: FleetSnapshot, ctx: PlanContext, computedAt: string): ReadinessReport {
  const regions = snapshot.regions.map((region): RegionReadiness => {
    const p = plan(snapshot, { kind: 'evacuate', region }, ctx);
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
    };
  });
  return { computedAt, model: ctx.defaultModel, regions, ready: regions.every((r) => r.ready) };
}
