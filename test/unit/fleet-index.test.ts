import { describe, expect, it } from 'vitest';
import { groupCeiling, indexFleet } from '../../src/core/planner/fleet-index';
import { assembleSnapshot } from '../../src/core/snapshot';
import { fleetReading } from '../support/fleet-fixture';

/**
 * The fleet indexed as the planner asks it. api runs in three regions (two groups in
 * us-west-2) behind api.example.com at weights 100/100/200; web runs in us-east-1 and
 * eu-west-1 behind www.example.com at weights 1/3, but its eu-west-1 group names a second
 * traffic name; api-canary shares api.example.com; batch has no traffic name.
 */
function snapshot() {
  const reading = fleetReading([
    {
      name: 'web',
      dns: 'www.example.com',
      regions: { 'us-east-1': { desired: 4, weight: 1 }, 'eu-west-1': { desired: 4, weight: 3 } },
    },
    {
      name: 'api',
      dns: 'api.example.com',
      regions: { 'us-east-1': { desired: 10, weight: 100 }, 'us-west-2': { desired: 10, groups: 2, weight: 100 }, 'eu-west-1': { desired: 10, weight: 200 } },
    },
    { name: 'api-canary', regions: { 'us-east-1': { desired: 1 } } },
    { name: 'batch', regions: { 'us-east-1': { desired: 2 } } },
  ]);
  for (const g of reading.groups) {
    if (g.name === 'web-eu-west-1') g.tags['lifeboat:traffic'] = 'a-web.example.com';
    if (g.name === 'api-canary-us-east-1') g.tags['lifeboat:traffic'] = 'api.example.com';
  }
  return assembleSnapshot(reading);
}

describe('indexFleet', () => {
  it('keeps the snapshot and its regions, and lists the services sorted', () => {
    const s = snapshot();
    const index = indexFleet(s);
    expect(index.snapshot).toBe(s);
    expect(index.regions).toEqual(['us-east-1', 'us-west-2', 'eu-west-1']);
    expect(index.services).toEqual(['api', 'api-canary', 'batch', 'web']);
  });

  it('groups the groups by service, then region, every group of a region kept', () => {
    const index = indexFleet(snapshot());
    expect([...index.groups.get('api')!.keys()].sort()).toEqual(['eu-west-1', 'us-east-1', 'us-west-2']);
    expect(index.groups.get('api')!.get('us-west-2')!.map((g) => g.name)).toEqual(['api-us-west-2-1', 'api-us-west-2-2']);
    expect(index.groups.get('api')!.get('us-east-1')!.map((g) => g.name)).toEqual(['api-us-east-1']);
    expect([...index.groups.get('web')!.keys()].sort()).toEqual(['eu-west-1', 'us-east-1']);
    expect(index.groups.get('batch')!.get('us-east-1')!.map((g) => g.name)).toEqual(['batch-us-east-1']);
  });

  it('indexes each service’s capacity by region', () => {
    const index = indexFleet(snapshot());
    expect([...index.capacity.get('api')!.keys()].sort()).toEqual(['eu-west-1', 'us-east-1', 'us-west-2']);
    expect(index.capacity.get('api')!.get('us-west-2')).toMatchObject({ service: 'api', region: 'us-west-2', groups: ['api-us-west-2-1', 'api-us-west-2-2'] });
    expect(index.capacity.get('web')!.get('eu-west-1')).toMatchObject({ service: 'web', region: 'eu-west-1', groups: ['web-eu-west-1'] });
    expect(index.capacity.get('web')!.has('us-west-2')).toBe(false);
  });

  it('takes the first traffic name (sorted) a service’s groups carry, and lists the services of each name', () => {
    const index = indexFleet(snapshot());
    expect(Object.fromEntries(index.trafficNameOf)).toEqual({ api: 'api.example.com', 'api-canary': 'api.example.com', web: 'a-web.example.com' });
    expect(Object.fromEntries(index.servicesOfName)).toEqual({ 'api.example.com': ['api', 'api-canary'], 'a-web.example.com': ['web'] });
  });

  it('indexes weights, shares and records by name and region', () => {
    const index = indexFleet(snapshot());
    // api: 100 + 100 + 200 = 400 → 1/4, 1/4, 1/2; www: 1 + 3 = 4 → 1/4, 3/4.
    expect(Object.fromEntries(index.weightsOf.get('api.example.com')!)).toEqual({ 'us-east-1': 100, 'us-west-2': 100, 'eu-west-1': 200 });
    expect(Object.fromEntries(index.sharesOf.get('api.example.com')!)).toEqual({ 'us-east-1': 0.25, 'us-west-2': 0.25, 'eu-west-1': 0.5 });
    expect(Object.fromEntries(index.weightsOf.get('www.example.com')!)).toEqual({ 'us-east-1': 1, 'eu-west-1': 3 });
    expect(Object.fromEntries(index.sharesOf.get('www.example.com')!)).toEqual({ 'us-east-1': 0.25, 'eu-west-1': 0.75 });
    expect(index.recordsOf.get('api.example.com')!.map((r) => [r.region, r.weight])).toEqual([
      ['us-east-1', 100],
      ['us-west-2', 100],
      ['eu-west-1', 200],
    ]);
    expect(index.recordsOf.get('www.example.com')!.map((r) => r.region)).toEqual(['us-east-1', 'eu-west-1']);
  });
});

describe('groupCeiling', () => {
  it('is MaxSize when no growth is allowed, or when growth would lower it', () => {
    expect(groupCeiling({ maxSize: 10 }, 1)).toBe(10);
    expect(groupCeiling({ maxSize: 10 }, 0.5)).toBe(10);
  });

  it('raises MaxSize by the growth, rounding a fraction of an instance up', () => {
    // 10 × 1.5 = 15 exactly; 10 × 1.25 = 12.5 → 13.
    expect(groupCeiling({ maxSize: 10 }, 1.5)).toBe(15);
    expect(groupCeiling({ maxSize: 10 }, 1.25)).toBe(13);
    expect(groupCeiling({ maxSize: 3 }, 2)).toBe(6);
  });

  it('does not round floating-point noise up to a whole extra instance', () => {
    // 50 × 1.1 is 55.00000000000001 in binary floating point: the ceiling is 55, not 56.
    expect(50 * 1.1).toBeGreaterThan(55);
    expect(groupCeiling({ maxSize: 50 }, 1.1)).toBe(55);
  });
});
