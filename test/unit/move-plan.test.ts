import { describe, expect, it } from 'vitest';
import { loadModels } from '../../src/app/loaders/load-models';
import type { FleetReading } from '../../src/core/fleet';
import type { EvacuateIntent, ShiftIntent } from '../../src/core/intents';
import type { ServiceContext } from '../../src/core/planner/capacity-targets';
import { serviceContext } from '../../src/core/planner/capacity-targets';
import { indexFleet } from '../../src/core/planner/fleet-index';
import { sizeServicesForMove } from '../../src/core/planner/move-capacity';
import { planMove } from '../../src/core/planner/move-plan';
import { DEFAULT_PLAN_CONTEXT } from '../../src/core/planner/plan-context';
import type { Plan } from '../../src/core/planner/plan-types';
import { assembleSnapshot } from '../../src/core/snapshot';
import type { ServiceSpec } from '../support/fleet-fixture';
import { fleetReading, ZONE } from '../support/fleet-fixture';

/**
 * Planning a move (move-plan.ts, move-capacity.ts) called directly on an indexed fleet,
 * sized from instance counts (proportional, headroom 0.1) so every figure can be worked by
 * hand. Regions us-east-1, us-west-2, eu-west-1.
 */
const models = loadModels();
const ctx = { ...DEFAULT_PLAN_CONTEXT, defaultModel: 'proportional', models };

/** api and web share api.example.com (weights 1/2/1: shares 1/4, 1/2, 1/4); img is on img.example.com; worker has no name. */
const even = (desired: number, max = 20) => ({ 'us-east-1': { desired, max, weight: 1 }, 'us-west-2': { desired: desired * 2, max: max * 2, weight: 2 }, 'eu-west-1': { desired, max, weight: 1 } });
const fleetSpec = (): ServiceSpec[] => [
  { name: 'api', dns: 'api.example.com', regions: even(4) },
  { name: 'web', dns: 'api.example.com', regions: even(2) },
  { name: 'img', dns: 'img.example.com', regions: even(3) },
  { name: 'worker', regions: { 'us-east-1': { desired: 6, max: 12 }, 'us-west-2': { desired: 3, max: 12 }, 'eu-west-1': { desired: 3, max: 12 } } },
];

function indexOf(services: ServiceSpec[] = fleetSpec(), edit: (r: FleetReading) => void = () => {}) {
  const reading = fleetReading(services);
  edit(reading);
  return indexFleet(assembleSnapshot(reading));
}
const evacuate = (extra: Partial<EvacuateIntent> = {}): EvacuateIntent => ({ kind: 'evacuate', region: 'us-east-1', ...extra });
const shift = (extra: Partial<ShiftIntent> = {}): ShiftIntent => ({ kind: 'shift', from: 'us-east-1', percent: 50, ...extra });
const codes = (p: Plan) => p.blockers.map((b) => b.code);
const lastShares = (p: Plan, name: string) => Object.fromEntries(p.stages.at(-1)!.traffic.filter((t) => t.name === name).map((t) => [t.region, t.share]));

/** A name lifeboat steers that no managed group claims: static.example.com, weight 1 in each region. */
const withStaticName = (r: FleetReading) => {
  for (const region of r.regions) r.zones[0]!.records.push({ ...ZONE, name: 'static.example.com.', type: 'A', setIdentifier: region, weight: 1, ttl: 60, resourceRecords: ['192.0.2.20'] });
};

describe('what a move asks for', () => {
  it('evacuates the region named: all of its traffic, to every other region that serves', () => {
    const p = planMove(indexOf(), evacuate({ services: ['img'] }), ctx);
    expect(p.blockers).toEqual([]);
    expect(p.region).toBe('us-east-1');
    // img: 1/4 of it leaves, split 2 : 1.
    const shares = lastShares(p, 'img.example.com');
    expect(shares['us-east-1']).toBe(0);
    expect(shares['us-west-2']).toBeCloseTo(2 / 3, 2);
    expect(shares['eu-west-1']).toBeCloseTo(1 / 3, 2);
  });

  it('shifts the percent asked to one region named', () => {
    const p = planMove(indexOf(), shift({ to: 'us-west-2', services: ['img'], stages: 1 }), ctx);
    expect(p.blockers).toEqual([]);
    expect(p.region).toBe('us-east-1');
    // Half of 1/4 to us-west-2: 1/8, 5/8, 1/4.
    const shares = lastShares(p, 'img.example.com');
    expect(shares['us-east-1']).toBeCloseTo(0.125, 2);
    expect(shares['us-west-2']).toBeCloseTo(0.625, 2);
    expect(shares['eu-west-1']).toBeCloseTo(0.25, 2);
  });

  it('shifts to every region named in a list', () => {
    const p = planMove(indexOf(), shift({ to: ['us-west-2', 'eu-west-1'], percent: 100, services: ['img'], stages: 1 }), ctx);
    expect(p.blockers).toEqual([]);
    // All of 1/4, split 2 : 1 as they serve.
    expect(lastShares(p, 'img.example.com')['eu-west-1']).toBeCloseTo(1 / 3, 2);
  });

  it('shifts to every other region serving when none is named', () => {
    const p = planMove(indexOf(), shift({ percent: 100, services: ['img'], stages: 1 }), ctx);
    expect(p.blockers).toEqual([]);
    expect(lastShares(p, 'img.example.com')['us-west-2']).toBeCloseTo(2 / 3, 2);
  });

  it('moves in the stages asked, or in the default number', () => {
    expect(planMove(indexOf(), evacuate({ services: ['img'], stages: 1 }), ctx).stages.map((s) => s.percent)).toEqual([100]);
    expect(planMove(indexOf(), evacuate({ services: ['img'] }), ctx).stages.map((s) => s.percent)).toEqual([50, 100]);
    expect(planMove(indexOf(), evacuate({ services: ['img'] }), { ...ctx, defaultStages: 4 }).stages.map((s) => s.percent)).toEqual([25, 50, 75, 100]);
  });
});

describe('requests that cannot be planned whatever the fleet', () => {
  it('refuses a region lifeboat does not manage, and looks no further', () => {
    const p = planMove(indexOf(fleetSpec().slice(0, 3)), evacuate({ region: 'ap-south-1' }), ctx);
    expect(codes(p)).toEqual(['LB_ERR_UNKNOWN_REGION']);
    expect(p.region).toBe('ap-south-1');
    expect(p.warnings).toEqual([]);
    expect(p.services).toEqual([]);
  });

  it('refuses a recipient lifeboat does not manage', () => {
    const p = planMove(indexOf(), shift({ to: ['eu-west-1', 'eu-west-9'] }), ctx);
    expect(p.blockers).toMatchObject([{ code: 'LB_ERR_UNKNOWN_REGION', details: { region: 'eu-west-9' } }]);
  });

  it('refuses a shift to the region it shifts from', () => {
    const p = planMove(indexOf(), shift({ to: ['us-west-2', 'us-east-1'] }), ctx);
    expect(p.blockers).toEqual([{ code: 'LB_ERR_VALIDATION', message: 'cannot shift traffic from us-east-1 to itself', details: { field: 'to' } }]);
  });

  it('refuses a model it does not have, naming those it has', () => {
    const p = planMove(indexOf(), evacuate({ model: 'magic' }), ctx);
    expect(p.blockers).toEqual([{ code: 'LB_ERR_UNKNOWN_MODEL', message: 'no capacity model named magic (have: erlang-c, measured, proportional, throughput)', details: { model: 'magic' } }]);
  });

  it('lists every problem of the request at once', () => {
    const p = planMove(indexOf(), shift({ from: 'us-east-9', to: 'us-east-9', model: 'magic', services: ['api', 'checkout', 'billing'] }), ctx);
    expect(codes(p)).toEqual(['LB_ERR_UNKNOWN_REGION', 'LB_ERR_UNKNOWN_REGION', 'LB_ERR_VALIDATION', 'LB_ERR_UNKNOWN_MODEL', 'LB_ERR_UNKNOWN_SERVICE', 'LB_ERR_UNKNOWN_SERVICE']);
    expect(p.blockers.slice(4).map((b) => b.details!.service)).toEqual(['checkout', 'billing']);
  });
});

describe('what moves', () => {
  it('moves a service’s name, and every service on that name with it', () => {
    const p = planMove(indexOf(), evacuate({ services: ['web'] }), ctx);
    expect(p.blockers).toEqual([]);
    expect(p.names).toEqual(['api.example.com']);
    expect(p.services.map((s) => s.service)).toEqual(['api', 'web']);
  });

  it('moves a service without a name on its own when it is asked for', () => {
    const p = planMove(indexOf(), evacuate({ services: ['worker'] }), ctx);
    expect(p.blockers).toEqual([]);
    expect(p.names).toEqual([]);
    expect(p.services.map((s) => s.service)).toEqual(['worker']);
    // worker 6/3/3: us-west-2 and eu-west-1 go from 1/4 to 1/2 at 12 per unit: 3 + 12 × 1/4 × 1.1 = 6.3 → 7.
    expect(p.groupChanges.map((c) => [c.group, c.to.desiredCapacity])).toEqual([
      ['worker-us-west-2', 7],
      ['worker-eu-west-1', 7],
    ]);
  });

  it('moves every name the region has a record for when no service is named, in name order, warning of a name no group claims', () => {
    const p = planMove(indexOf(fleetSpec(), withStaticName), evacuate(), ctx);
    expect(p.blockers).toEqual([]);
    expect(p.names).toEqual(['api.example.com', 'img.example.com', 'static.example.com']);
    expect(p.services.map((s) => s.service)).toEqual(['api', 'img', 'web', 'worker']);
    expect(p.warnings.filter((w) => w.code === 'NAME_WITHOUT_SERVICE')).toEqual([
      { code: 'NAME_WITHOUT_SERVICE', message: 'static.example.com moves without a capacity check: no managed group names it in lifeboat:traffic', details: { name: 'static.example.com' } },
    ]);
  });

  it('leaves a name no group claims alone when services are named', () => {
    const p = planMove(indexOf(fleetSpec(), withStaticName), evacuate({ services: ['img'] }), ctx);
    expect(p.names).toEqual(['img.example.com']);
    expect(p.warnings).toEqual([]);
  });

  it('does not move a name the region has no record for', () => {
    const elsewhere = (r: FleetReading) => {
      for (const region of ['us-west-2', 'eu-west-1']) r.zones[0]!.records.push({ ...ZONE, name: 'static.example.com.', type: 'A', setIdentifier: region, weight: 1, ttl: 60, resourceRecords: ['192.0.2.20'] });
    };
    const p = planMove(indexOf(fleetSpec().slice(0, 3), elsewhere), evacuate(), ctx);
    expect(p.blockers).toEqual([]);
    expect(p.names).toEqual(['api.example.com', 'img.example.com']);
    expect(p.warnings).toEqual([]);
  });

  it('lists names in order, whatever order their services come in', () => {
    // Services are taken alphabetically: alpha (on zzz.example.com) before beta (on aaa.example.com).
    const services: ServiceSpec[] = [
      { name: 'alpha', dns: 'zzz.example.com', regions: even(2) },
      { name: 'beta', dns: 'aaa.example.com', regions: even(2) },
    ];
    expect(planMove(indexOf(services), evacuate({ services: ['alpha', 'beta'] }), ctx).names).toEqual(['aaa.example.com', 'zzz.example.com']);
  });

  it('sizes only the services whose share moves', () => {
    // worker runs nothing in us-east-1: it has nothing to move, and is neither sized nor judged stage by stage.
    const services = fleetSpec();
    services[3]!.regions = { 'us-west-2': { desired: 3 }, 'eu-west-1': { desired: 3 } };
    const p = planMove(indexOf(services), evacuate(), ctx);
    expect(p.blockers).toEqual([]);
    expect(p.services.map((s) => s.service)).toEqual(['api', 'img', 'web']);
    expect(p.stages.length).toBeGreaterThan(0);
    for (const s of p.stages) expect(new Set(s.load.map((l) => l.service))).toEqual(new Set(['api', 'img', 'web']));
  });
});

describe('plans that stop early', () => {
  it('says a region that serves nothing of what is asked is already evacuated, naming the services', () => {
    const services = fleetSpec();
    services[2]!.regions['us-east-1']!.weight = 0;
    const p = planMove(indexOf(services), evacuate({ services: ['img'] }), ctx);
    expect(p.blockers).toEqual([{ code: 'LB_ERR_REGION_ALREADY_EVACUATED', message: 'us-east-1 already serves no traffic for img; nothing to move', details: { region: 'us-east-1' } }]);
  });

  it('says so without naming services when none was asked for', () => {
    const services = fleetSpec().slice(0, 3);
    for (const s of services) s.regions['us-east-1']!.weight = 0;
    const p = planMove(indexOf(services), evacuate(), ctx);
    expect(p.blockers).toEqual([{ code: 'LB_ERR_REGION_ALREADY_EVACUATED', message: 'us-east-1 already serves no traffic; nothing to move', details: { region: 'us-east-1' } }]);
  });

  it('still moves a service without a name when the region serves no traffic by name', () => {
    const services = fleetSpec();
    for (const s of services.slice(0, 3)) s.regions['us-east-1']!.weight = 0;
    const p = planMove(indexOf(services), evacuate(), ctx);
    expect(p.blockers).toEqual([]);
    expect(p.services.map((s) => s.service)).toEqual(['worker']);
  });

  it('stops at a model parameter that does not fit, before looking where traffic goes', () => {
    // worker runs only in us-east-1 (it would be refused for that), but the parameter comes first.
    const services = fleetSpec();
    services[3]!.regions = { 'us-east-1': { desired: 6 } };
    const p = planMove(indexOf(services), evacuate({ parameters: { headroom: 9 } }), ctx);
    expect(codes(p)).toEqual(['LB_ERR_MODEL_PARAMETER', 'LB_ERR_MODEL_PARAMETER', 'LB_ERR_MODEL_PARAMETER', 'LB_ERR_MODEL_PARAMETER']);
    expect(p.names).toEqual([]);
  });

  it('warns when a fallback sizes a service', () => {
    const p = planMove(indexOf(), evacuate({ services: ['img'], model: 'measured' }), ctx);
    expect(p.blockers).toEqual([]);
    expect(p.warnings).toMatchObject([{ code: 'MODEL_FALLBACK', details: { service: 'img', model: 'proportional', from: 'measured' } }]);
  });

  it('builds no stages when the model cannot size a service at its target share', () => {
    // throughput needs every region that gains tagged with capacity per instance; img has none.
    const p = planMove(indexOf(), evacuate({ services: ['img'], model: 'throughput', parameters: { demand: 100 } }), ctx);
    expect(p.blockers).toMatchObject([{ code: 'LB_ERR_MODEL_INPUT_MISSING', details: { service: 'img', missing: ['capacityPerInstance'] } }]);
    expect(p.services).toEqual([]);
    expect(p.stages).toEqual([]);
  });

  it('builds stages for what can move despite a shortfall, which can be forced', () => {
    // img capacity-aware with no room anywhere (MaxSize = what runs): none of us-east-1's 1/4 can move.
    const services = fleetSpec();
    services[2]!.regions = { 'us-east-1': { desired: 3, max: 3, weight: 1 }, 'us-west-2': { desired: 6, max: 6, weight: 2 }, 'eu-west-1': { desired: 3, max: 3, weight: 1 } };
    const p = planMove(indexOf(services), evacuate({ services: ['img', 'api'], distribution: 'capacity-aware', stages: 1 }), ctx);
    expect(codes(p)).toEqual(['LB_ERR_SHORTFALL']);
    expect(p.names).toEqual(['api.example.com', 'img.example.com']);
    expect(p.stages).toHaveLength(1);
    expect(lastShares(p, 'api.example.com')['us-east-1']).toBe(0);
  });

  it('builds no stages when a shortfall comes with a blocker that cannot be forced', () => {
    const services = fleetSpec();
    services[2]!.regions = { 'us-east-1': { desired: 3, max: 3, weight: 1 }, 'us-west-2': { desired: 6, max: 6, weight: 2 }, 'eu-west-1': { desired: 3, max: 3, weight: 1 } };
    services[3]!.regions = { 'us-east-1': { desired: 6 } };
    const p = planMove(indexOf(services), evacuate({ distribution: 'capacity-aware' }), ctx);
    expect(codes(p).sort()).toEqual(['LB_ERR_NO_SERVING_REGION', 'LB_ERR_SHORTFALL']);
    expect(p.stages).toEqual([]);
    expect(p.names).toEqual([]);
  });
});

describe('sizing the services that move', () => {
  const index = indexOf();
  const sizing = { model: models.get('proportional')!, models, maxSizeGrowth: 1 };
  const img = serviceContext(index, 'img', {}, sizing);

  it('pins each gaining region at its target before traffic arrives, and says what each region runs then', () => {
    // img 3/6/3 moves to 0, 2/3, 1/3: 6 per unit of 1/4 → 12 per unit; us-west-2 gains 1/6 → 6 + 12 × 1/6 × 1.1 = 8.2 → 9,
    // eu-west-1 gains 1/12 → 3 + 12 × 1/12 × 1.1 = 4.1 → 5.
    const after = new Map([['img.example.com', new Map([['us-east-1', 0], ['us-west-2', 2 / 3], ['eu-west-1', 1 / 3]])]]);
    const got = sizeServicesForMove(index, [img], after, new Map(), 1);
    expect(got.problems).toEqual([]);
    expect(got.shortfalls).toEqual([]);
    expect(got.instances.get('img')).toEqual([3, 9, 5]);
    expect(got.services.map((s) => s.regions.map((r) => r.target))).toEqual([[3, 9, 5]]);
    expect(got.groupChanges.map((c) => [c.group, c.to])).toEqual([
      ['img-us-west-2', { minSize: 9, desiredCapacity: 9, maxSize: 40 }],
      ['img-eu-west-1', { minSize: 5, desiredCapacity: 5, maxSize: 20 }],
    ]);
  });

  it('leaves a region alone whose share grows by no more than float dust', () => {
    const after = new Map([['img.example.com', new Map([['us-east-1', 0.25 - 1e-13], ['us-west-2', 0.75], ['eu-west-1', 0.25 + 1e-13]])]]);
    const got = sizeServicesForMove(index, [img], after, new Map(), 1);
    expect(got.groupChanges.map((c) => c.group)).toEqual(['img-us-west-2']);
  });

  it('leaves a region alone whose share grows by exactly the float dust allowed (1e-12)', () => {
    const after = new Map([['img.example.com', new Map([['us-east-1', 0.25 - 1e-12], ['us-west-2', 0.5], ['eu-west-1', 0.25 + 1e-12]])]]);
    const got = sizeServicesForMove(index, [img], after, new Map(), 1);
    expect(got.groupChanges).toEqual([]);
  });

  it('has nothing to pin in a gaining region where the service has no group', () => {
    const noEu = { ...img, groups: new Map([...img.groups].filter(([region]) => region !== 'eu-west-1')) };
    const after = new Map([['img.example.com', new Map([['us-east-1', 0], ['us-west-2', 2 / 3], ['eu-west-1', 1 / 3]])]]);
    const got = sizeServicesForMove(index, [noEu], after, new Map(), 1);
    expect(got.groupChanges.map((c) => c.group)).toEqual(['img-us-west-2']);
  });

  it('changes no group already pinned where it needs to be', () => {
    // img pinned at MinSize = DesiredCapacity = 6 in us-west-2; throughput at 1 request/s with 1 per instance asks at most 1 instance.
    const pinned = indexOf([{ name: 'img', dns: 'img.example.com', regions: { 'us-east-1': { desired: 3, min: 3, max: 20, weight: 1 }, 'us-west-2': { desired: 6, min: 6, max: 40, weight: 2 } } }]);
    const c = serviceContext(pinned, 'img', { parameters: { demand: 1, utilization: 1 } }, { model: models.get('throughput')!, models, maxSizeGrowth: 1 });
    const given = { ...c, inputs: { ...c.inputs, capacityPerInstance: [1, 1, 1] } };
    const after = new Map([['img.example.com', new Map([['us-east-1', 0], ['us-west-2', 1]])]]);
    const got = sizeServicesForMove(pinned, [given], after, new Map(), 1);
    expect(got.services[0]!.regions[1]).toMatchObject({ region: 'us-west-2', required: 1, target: 6 });
    expect(got.groupChanges).toEqual([]);
  });

  it('counts what a gaining region cannot reach under its ceiling', () => {
    const tight = { ...img, ceilings: [20, 8, 20] };
    const after = new Map([['img.example.com', new Map([['us-east-1', 0], ['us-west-2', 2 / 3], ['eu-west-1', 1 / 3]])]]);
    const got = sizeServicesForMove(index, [tight], after, new Map(), 1);
    expect(got.shortfalls).toEqual([{ service: 'img', region: 'us-west-2', required: 9, ceiling: 8, short: 1 }]);
    expect(got.instances.get('img')).toEqual([3, 8, 5]);
  });

  it('sizes a service without a name at its own moved share', () => {
    const worker = serviceContext(index, 'worker', {}, sizing);
    const got = sizeServicesForMove(index, [worker], new Map(), new Map([['worker', { before: [0.5, 0.25, 0.25], after: [0, 0.5, 0.5] }]]), 1);
    expect(got.instances.get('worker')).toEqual([6, 7, 7]);
  });

  it('does not size a service whose share does not move', () => {
    const got = sizeServicesForMove(index, [img], new Map(), new Map(), 1);
    expect(got).toEqual({ services: [], groupChanges: [], instances: new Map(), shortfalls: [], problems: [] });
  });

  it('turns a service the model cannot size into a problem, and goes on with the others', () => {
    const throughput = { model: models.get('throughput')!, models, maxSizeGrowth: 1 };
    const unsized = serviceContext(index, 'img', { parameters: { demand: 100 } }, throughput);
    const api = serviceContext(index, 'api', {}, sizing);
    const after = new Map([
      ['img.example.com', new Map([['us-east-1', 0], ['us-west-2', 2 / 3], ['eu-west-1', 1 / 3]])],
      ['api.example.com', new Map([['us-east-1', 0], ['us-west-2', 2 / 3], ['eu-west-1', 1 / 3]])],
    ]);
    const got = sizeServicesForMove(index, [unsized, api], after, new Map(), 1);
    expect(got.problems).toMatchObject([{ code: 'LB_ERR_MODEL_INPUT_MISSING', details: { service: 'img' } }]);
    expect(got.services.map((s) => s.service)).toEqual(['api']);
  });

  it('lets an error that is not lifeboat’s through', () => {
    const broken: ServiceContext = { ...img };
    Object.defineProperty(broken, 'inputs', { get: () => { throw new Error('broken context'); } });
    const after = new Map([['img.example.com', new Map([['us-west-2', 1]])]]);
    expect(() => sizeServicesForMove(index, [broken], after, new Map(), 1)).toThrow('broken context');
  });
});
