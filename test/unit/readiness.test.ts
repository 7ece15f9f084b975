import { describe, expect, it } from 'vitest';
import { loadModels } from '../../src/app/loaders/load-models';
import { DEFAULT_PLAN_CONTEXT } from '../../src/core/planner/plan';
import { computeReadiness } from '../../src/core/readiness';
import type { ServiceSpec } from '../support/fleet-fixture';
import { fleet } from '../support/fleet-fixture';

const ctx = { ...DEFAULT_PLAN_CONTEXT, models: loadModels() };
const AT = '2026-11-24T12:00:05.000Z';

/**
 * api with 10 instances and weight 100 in each of three regions. Evacuating any one, each
 * survivor goes from 1/3 to 1/2 of the traffic: 10 instances at 1/3 is 30 per unit share, the
 * 1/6 it absorbs is 5 instances, × 1.1 headroom = 5.5 → 15.5 → 16 needed (as in planner.test.ts).
 */
const api = (max: Record<string, number>): ServiceSpec[] => [
  {
    name: 'api',
    dns: 'api.example.com',
    regions: Object.fromEntries(['us-east-1', 'us-west-2', 'eu-west-1'].map((r) => [r, { desired: 10, min: 2, max: max[r] ?? 20, weight: 100 }])),
  },
];

const regionOf = (report: ReturnType<typeof computeReadiness>, region: string) => report.regions.find((r) => r.region === region)!;

describe('N+1 readiness', () => {
  it('is ready when every survivor can reach what it needs, with the headroom each has left', () => {
    // MaxSize 20: 16 needed, 20 obtainable, 4 to spare in every survivor of every evacuation.
    const report = computeReadiness(fleet(api({})), ctx, AT);
    expect(report.ready).toBe(true);
    expect(report.computedAt).toBe(AT);
    expect(report.regions.map((r) => r.region)).toEqual(['us-east-1', 'us-west-2', 'eu-west-1']);
    const east = regionOf(report, 'us-east-1');
    expect(east).toMatchObject({ ready: true, blockers: [], minHeadroom: 4 });
    expect(east.services).toEqual([
      {
        service: 'api',
        survivors: [
          { region: 'us-west-2', needed: 16, obtainable: 20, headroom: 4 },
          { region: 'eu-west-1', needed: 16, obtainable: 20, headroom: 4 },
        ],
      },
    ]);
  });

  it('is not ready when a survivor falls short of what it needs, and says by how much', () => {
    // MaxSize 12 everywhere: each survivor needs 16 and can reach 12, 4 short.
    const report = computeReadiness(fleet(api({ 'us-east-1': 12, 'us-west-2': 12, 'eu-west-1': 12 })), ctx, AT);
    expect(report.ready).toBe(false);
    for (const region of ['us-east-1', 'us-west-2', 'eu-west-1']) {
      const r = regionOf(report, region);
      expect(r.ready).toBe(false);
      expect(r.blockers.map((b) => b.code)).toEqual(['LB_ERR_SHORTFALL']);
      expect(r.minHeadroom).toBe(-4);
      expect(r.services[0]!.survivors.map((s) => [s.needed, s.obtainable, s.headroom])).toEqual([
        [16, 12, -4],
        [16, 12, -4],
      ]);
    }
  });

  it('takes the smallest headroom of the survivors, and is not ready if any one region is not', () => {
    // MaxSize 18 in eu-west-1: 18 − 16 = 2 when us-east-1 or us-west-2 goes; the others keep 20 − 16 = 4.
    // MaxSize 14 in us-west-2: 14 − 16 = −2 when another region goes, so those two are not ready.
    const report = computeReadiness(fleet(api({ 'us-west-2': 14, 'eu-west-1': 18 })), ctx, AT);
    expect(report.regions.map((r) => [r.region, r.ready, r.minHeadroom])).toEqual([
      ['us-east-1', false, -2],
      ['us-west-2', true, 2],
      ['eu-west-1', false, -2],
    ]);
    expect(report.ready).toBe(false);
  });

  it('counts a region that already serves nothing as ready, with no survivor to grow', () => {
    // eu-west-1 has a group but weight 0: evacuating it moves nothing; evacuating us-east-1 gives
    // all its traffic to us-west-2 (eu-west-1 serves nothing, so gets nothing in proportion).
    const services: ServiceSpec[] = [
      {
        name: 'api',
        dns: 'api.example.com',
        regions: {
          'us-east-1': { desired: 10, min: 2, max: 30, weight: 100 },
          'us-west-2': { desired: 10, min: 2, max: 30, weight: 100 },
          'eu-west-1': { desired: 2, min: 2, max: 20, weight: 0 },
        },
      },
    ];
    const report = computeReadiness(fleet(services), ctx, AT);
    const eu = regionOf(report, 'eu-west-1');
    expect(eu.ready).toBe(true);
    expect(eu.blockers).toEqual([]);
    expect(eu.minHeadroom).toBeNull();
    expect(eu.services.flatMap((s) => s.survivors)).toEqual([]);
    expect(regionOf(report, 'us-east-1').services.flatMap((s) => s.survivors.map((x) => x.region))).toEqual(['us-west-2']);
  });

  it('names the model asked and, per service in name order, the model that sized it', () => {
    const services: ServiceSpec[] = [
      { name: 'web', dns: 'www.example.com', regions: { 'us-east-1': { desired: 4, max: 20, weight: 1 }, 'us-west-2': { desired: 4, max: 20, weight: 1 } } },
      { name: 'api', dns: 'api.example.com', regions: { 'us-east-1': { desired: 4, max: 20, weight: 1 }, 'us-west-2': { desired: 4, max: 20, weight: 1 } } },
    ];
    const report = computeReadiness(fleet(services, ['us-east-1', 'us-west-2']), ctx, AT);
    // Asked for the measured model (the default); without measured load each service falls back to proportional.
    expect(report.model).toBe('measured');
    expect(report.services.map((s) => [s.service, s.model, s.fellBack?.from])).toEqual([
      ['api', 'proportional', 'measured'],
      ['web', 'proportional', 'measured'],
    ]);
  });
});
