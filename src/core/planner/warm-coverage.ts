import { keyOfGroup } from '../fleet';
import type { FleetIndex } from './fleet-index';
import type { GroupChange, WarmCoverage } from './plan-types';

/**
 * How much of each survivor's growth its warm pools cover: per group that grows, the
 * instances its pool holds warm now (at most the growth) come from the pool, the rest are
 * launched cold; summed per service and region. Undefined when no group that grows has a
 * warm pool, so plans of fleets without pools look as they always did.
 *
 * Worked example: web in us-west-2 grows 4 → 7 over one group whose pool holds 2 warm
 * instances: growth 3, warm 2, cold 1.
 */
export function warmCoverageOf(index: FleetIndex, changes: readonly GroupChange[]): WarmCoverage[] | undefined {
  const groups = new Map(index.snapshot.groups.map((g) => [keyOfGroup(g), g]));
  const growing = changes.filter((c) => c.to.desiredCapacity > c.from.desiredCapacity);
  if (!growing.some((c) => groups.get(keyOfGroup(c))?.warmPool)) return undefined;
  const bySurvivor = new Map<string, WarmCoverage>();
  for (const c of growing) {
    const growth = c.to.desiredCapacity - c.from.desiredCapacity;
    const warm = Math.min(growth, groups.get(keyOfGroup(c))?.warmPool?.size ?? 0);
    const key = `${c.service}\u0000${c.region}`;
    const sum = bySurvivor.get(key) ?? { service: c.service, region: c.region, growth: 0, warm: 0, cold: 0 };
    sum.growth += growth;
    sum.warm += warm;
    sum.cold += growth - warm;
    bySurvivor.set(key, sum);
  }
  const order = new Map(index.regions.map((r, i) => [r, i]));
  return [...bySurvivor.values()].sort((a, b) => a.service.localeCompare(b.service) || (order.get(a.region) ?? 0) - (order.get(b.region) ?? 0));
}
