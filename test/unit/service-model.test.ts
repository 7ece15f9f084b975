import { describe, expect, it } from 'vitest';
import { loadModels } from '../../src/app/loaders/load-models';
import { LifeboatError } from '../../src/core/errors';
import type { AutoScalingGroupReading } from '../../src/core/fleet';
import type { CapacityModel } from '../../src/core/models/capacity-model';
import { compileModel } from '../../src/core/models/capacity-model';
import { indexFleet } from '../../src/core/planner/fleet-index';
import type { ServiceSizing } from '../../src/core/planner/service-model';
import { fallbackWarning, sizingOf } from '../../src/core/planner/service-model';
import { assembleSnapshot } from '../../src/core/snapshot';
import { apiInThreeRegions, fleet, fleetReading } from '../support/fleet-fixture';
import type { LoadSpec } from '../support/load-fixture';
import { cpuFor, hourOf, withLoad } from '../support/load-fixture';

/**
 * Which model sizes a service and from what demand (service-model.ts), called directly on
 * an indexed fleet: api with 10 instances and weight 100 in each of three regions.
 */
const models = loadModels();
const model = (name: string) => models.get(name)!;
const third = 1 / 3;
const base = { share: [third, third, third], inService: [10, 10, 10] };

/** A model that reads load (so measures), with the given fallback and defaults, compiled from YAML. */
function loadModel(name: string, extra: { fallback?: string; historyDays?: number; slack?: boolean } = {}): CapacityModel {
  const text = [
    `name: ${name}`,
    'description: reads load',
    ...(extra.fallback ? [`fallback: ${extra.fallback}`] : []),
    'parameters:',
    '  headroom: {description: h, unit: fraction, default: 0, min: 0, max: 4}',
    ...(extra.historyDays ? [`  historyDays: {description: d, unit: days, default: ${extra.historyDays}, min: 1, max: 14}`, '  horizon: {description: h, unit: hours, default: 4, min: 0, max: 24}'] : []),
    ...(extra.slack ? ['  slack: {description: s, unit: instances, default: 0, min: 0}'] : []),
    'expressions:',
    `  required: "wholeInstances(sum(load) * targetShare ./ loadCapacity * (1 + headroom)${extra.slack ? ' + slack' : ''})"`,
    '',
  ].join('\n');
  return compileModel(`models/${name}.yaml`, text);
}

/** api's fleet with 1500 instance-% of demand (500 per region) in every hour of the last week. */
const steadyLoad = (values: LoadSpec['values'] = cpuFor(() => 500)) => assembleSnapshot(withLoad(fleetReading(apiInThreeRegions()), { values }));

describe('sizing with a model that reads no load', () => {
  const index = indexFleet(fleet(apiInThreeRegions()));

  it('sizes from instance counts with the parameters asked for, and says nothing fell back', () => {
    const sizing = sizingOf(index, 'api', model('proportional'), models, { headroom: 0.3 }, base);
    expect(sizing).toEqual({ model: model('proportional'), parameters: { headroom: 0.3 }, demand: { how: 'counts' } });
    expect(sizing.model).toBe(model('proportional'));
    expect(fallbackWarning('api', sizing)).toBeUndefined();
  });

  it('sizes from the demand given to a model with a demand parameter, in that parameter’s unit', () => {
    const sizing = sizingOf(index, 'api', model('throughput'), models, { demand: 3000 }, base);
    // throughput's utilization defaults to 0.6; its demand is in requests/s.
    expect(sizing).toEqual({ model: model('throughput'), parameters: { demand: 3000, utilization: 0.6 }, demand: { how: 'given', sizedFor: 3000, unit: 'requests/s' } });
  });

  it('refuses a parameter the model does not declare', () => {
    expect(() => sizingOf(index, 'api', model('proportional'), models, { utilization: 0.5 }, base)).toThrow(/model proportional has no parameter "utilization"/);
  });
});

describe('a model that reads load but finds none usable', () => {
  const index = indexFleet(fleet(apiInThreeRegions()));

  it('hands the service to its fallback, which keeps only the parameters it declares', () => {
    // headroom is proportional's; utilization and horizon are measured's and are dropped, not refused.
    const sizing = sizingOf(index, 'api', model('measured'), models, { headroom: 0.25, utilization: 0.5, horizon: 2 }, base);
    expect(sizing).toEqual({
      model: model('proportional'),
      parameters: { headroom: 0.25 },
      demand: { how: 'counts' },
      fellBack: { from: 'measured', reason: 'the fleet reading has no measured load (CloudWatch was not read)' },
    });
  });

  it('warns that the fallback sized the service, with what it sized from and why', () => {
    const sizing = sizingOf(index, 'api', model('measured'), models, {}, base);
    expect(fallbackWarning('api', sizing)).toEqual({
      code: 'MODEL_FALLBACK',
      message: 'api: sized by proportional (demand estimated from instance counts), not measured: the fleet reading has no measured load (CloudWatch was not read)',
      details: { service: 'api', model: 'proportional', from: 'measured', reason: 'the fleet reading has no measured load (CloudWatch was not read)' },
    });
  });

  it('says “demand as given” when the fallback sized from a given demand', () => {
    const given: ServiceSizing = { model: model('throughput'), parameters: { demand: 10, utilization: 0.6 }, demand: { how: 'given', sizedFor: 10, unit: 'requests/s' }, fellBack: { from: 'measured', reason: 'r' } };
    expect(fallbackWarning('web', given)!.message).toBe('web: sized by throughput (demand as given), not measured: r');
  });

  it('names the service when the reading has load but none for it', () => {
    const sizing = sizingOf(indexFleet(steadyLoad()), 'checkout', model('measured'), models, {}, base);
    expect(sizing.fellBack).toEqual({ from: 'measured', reason: 'no measured load for checkout' });
  });

  it('refuses, naming the model, the service and the missing input, when there is no fallback', () => {
    const only = loadModel('loadonly');
    let thrown: unknown;
    try {
      sizingOf(index, 'api', only, models, {}, base);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(LifeboatError);
    expect(thrown).toMatchObject({
      code: 'LB_ERR_MODEL_INPUT_MISSING',
      message: 'model loadonly cannot size api: the fleet reading has no measured load (CloudWatch was not read)',
      details: { model: 'loadonly', service: 'api', missing: ['load'] },
    });
  });

  it('refuses the same way when the fallback it names is not in the catalog', () => {
    const orphan = loadModel('orphan', { fallback: 'gone' });
    expect(() => sizingOf(index, 'api', orphan, models, {}, base)).toThrow(/^model orphan cannot size api: the fleet reading has no measured load/);
  });

  it('follows fallbacks until one sizes, reporting why the model asked could not', () => {
    // Only the last two days have values, and the reading holds seven: either model finds 2 usable days where it needs
    // ceil(7/2) = 4, and each names the window it asked for (7 days, then 14). The first reason is the one reported.
    const recent = steadyLoad((g: AutoScalingGroupReading, t: number) => (t >= Date.parse('2026-11-22T11:00:00Z') / 1000 ? cpuFor(() => 500)(g, t) : undefined));
    const catalog = new Map([...models, ['wide', loadModel('wide', { fallback: 'proportional', historyDays: 14 })]]);
    // slack is narrow's own parameter: wide and proportional, which do not declare it, take only headroom.
    const narrow = loadModel('narrow', { fallback: 'wide', historyDays: 7, slack: true });
    const sizing = sizingOf(indexFleet(recent), 'api', narrow, catalog, { headroom: 0.2, slack: 1 }, base);
    expect(sizing.model.name).toBe('proportional');
    expect(sizing.parameters).toEqual({ headroom: 0.2 });
    expect(sizing.fellBack!.from).toBe('narrow');
    // Every region holds too few values over the week, and the reason names each one's groups.
    expect(sizing.fellBack!.reason).toBe(
      'api-us-east-1 in us-east-1; api-us-west-2 in us-west-2; api-eu-west-1 in eu-west-1: AWS/EC2 CPUUtilization (Average) has too few values in the same hours of the last 7 days (2 usable)',
    );
  });
});

describe('a model that reads load and finds it', () => {
  it('sizes from the measured demand, with the load per instance in service and what an instance should carry', () => {
    // 500 instance-% per region in every hour: the demand now and at every peak is 1500, a third per region.
    // us-west-2 has 5 of its 10 in service and eu-west-1 none: per instance 500/10, 500/5, and NaN where none serves.
    const sizing = sizingOf(indexFleet(steadyLoad()), 'api', model('measured'), models, { headroom: 0.2 }, { share: base.share, inService: [10, 5, 0] });
    expect(sizing.model).toBe(model('measured'));
    expect(sizing.fellBack).toBeUndefined();
    expect(sizing.parameters).toEqual({ headroom: 0.2, utilization: 0.6, horizon: 4, historyDays: 7 });
    expect(sizing.demand).toMatchObject({ how: 'measured', horizonHours: 4, historyDays: 7 });
    const load = sizing.load!;
    expect(load.load).toHaveLength(3);
    for (const l of load.load!) expect(l).toBeCloseTo(500, 9);
    const perInstance = load.loadPerInstance!;
    expect(perInstance[0]).toBeCloseTo(50, 9);
    expect(perInstance[1]).toBeCloseTo(100, 9);
    expect(perInstance[2]).toBeNaN();
    // CPU has no lifeboat:target-utilization tag (NaN) and carries 100 instance-% at full use.
    expect(load.targetUtilization).toEqual([NaN, NaN, NaN]);
    expect(load.loadCapacity).toEqual([100, 100, 100]);
  });

  it('reads horizon and history from the intent when the model declares them', () => {
    const sizing = sizingOf(indexFleet(steadyLoad()), 'api', model('measured'), models, { horizon: 0, historyDays: 3 }, base);
    expect(sizing.demand).toMatchObject({ how: 'measured', horizonHours: 0, historyDays: 3, source: 'now' });
  });

  it('sizes for the demand now, over seven days of history, when the model declares neither horizon nor history', () => {
    // A peak of 3000 at 14:00 every day is ahead of now (12:00): a horizon would size for it; none sizes for the 1500 now.
    const peaky = steadyLoad(cpuFor((_g, t) => (hourOf(t) === 14 ? 1000 : 500)));
    const sizing = sizingOf(indexFleet(peaky), 'api', loadModel('plain'), models, {}, base);
    expect(sizing.demand).toMatchObject({ how: 'measured', horizonHours: 0, historyDays: 7, source: 'now' });
    expect((sizing.demand as { sizedFor: number }).sizedFor).toBeCloseTo(1500, 9);
  });
});
