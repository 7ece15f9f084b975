import { describe, expect, it } from 'vitest';
import { indexFleet } from '../../src/core/planner/fleet-index';
import type { GroupChange } from '../../src/core/planner/plan-types';
import { warmCoverageOf } from '../../src/core/planner/warm-coverage';
import { assembleSnapshot } from '../../src/core/snapshot';
import { fleetReading } from '../support/fleet-fixture';

/**
 * warmCoverageOf on changes written by hand. api has two groups in us-west-2 (api-us-west-2-1
 * with 3 warm, api-us-west-2-2 without a pool) and one in eu-west-1 (10 warm); web has one
 * group in us-west-2 and one in eu-west-1 (a pool with none warm yet).
 */
function index(pools: Record<string, number> = { 'api-us-west-2-1': 3, 'api-eu-west-1': 10, 'web-eu-west-1': 0 }) {
  const reading = fleetReading([
    { name: 'api', regions: { 'us-east-1': { desired: 10 }, 'us-west-2': { desired: 10, groups: 2 }, 'eu-west-1': { desired: 10 } } },
    { name: 'web', regions: { 'us-west-2': { desired: 4 }, 'eu-west-1': { desired: 4 } } },
  ]);
  for (const g of reading.groups) if (g.name in pools) g.warmPool = { size: pools[g.name]!, minSize: pools[g.name]! };
  return indexFleet(assembleSnapshot(reading));
}

const change = (service: string, region: string, group: string, from: number, to: number): GroupChange => ({
  region,
  group,
  service,
  from: { minSize: 1, desiredCapacity: from, maxSize: 30 },
  to: { minSize: 1, desiredCapacity: to, maxSize: 30 },
});

describe('warmCoverageOf', () => {
  it('takes each group’s growth from its pool up to the warm instances, sums per service and region, in service then region order', () => {
    const coverage = warmCoverageOf(index(), [
      change('web', 'eu-west-1', 'web-eu-west-1', 4, 6),
      change('web', 'us-west-2', 'web-us-west-2', 4, 4),
      change('web', 'ap-south-1', 'web-ap-south-1', 0, 1),
      change('api', 'eu-west-1', 'api-eu-west-1', 10, 12),
      change('api', 'us-west-2', 'api-us-west-2-1', 5, 9),
      change('api', 'us-west-2', 'api-us-west-2-2', 5, 7),
      change('api', 'us-east-1', 'api-us-east-1', 10, 5),
    ]);
    // api us-west-2: +4 with 3 warm (3 warm, 1 cold) and +2 without a pool (2 cold) → 6, 3, 3.
    // api eu-west-1: +2 with 10 warm → 2 warm. web eu-west-1: +2, pool empty → 2 cold.
    // web ap-south-1 (a region the fleet does not manage, group unknown): +1 cold, ordered first.
    // web us-west-2 does not grow and api us-east-1 shrinks: neither is listed.
    expect(coverage).toEqual([
      { service: 'api', region: 'us-west-2', growth: 6, warm: 3, cold: 3 },
      { service: 'api', region: 'eu-west-1', growth: 2, warm: 2, cold: 0 },
      { service: 'web', region: 'ap-south-1', growth: 1, warm: 0, cold: 1 },
      { service: 'web', region: 'eu-west-1', growth: 2, warm: 0, cold: 2 },
    ]);
  });

  it('is undefined when no group that grows has a pool, even if a group that keeps its size or shrinks has one', () => {
    expect(
      warmCoverageOf(index(), [
        change('api', 'us-west-2', 'api-us-west-2-2', 5, 7),
        change('api', 'us-west-2', 'api-us-west-2-1', 5, 5),
        change('api', 'eu-west-1', 'api-eu-west-1', 10, 8),
      ]),
    ).toBeUndefined();
    expect(warmCoverageOf(index({}), [change('api', 'us-west-2', 'api-us-west-2-1', 5, 9)])).toBeUndefined();
    expect(warmCoverageOf(index(), [])).toBeUndefined();
  });
});
