import { describe, expect, it } from 'vitest';
import type { Intent } from '../../src/core/intents';
import { indexFleet } from '../../src/core/planner/fleet-index';
import type { PlanContext } from '../../src/core/planner/plan-context';
import { emptyPlan, shortfallProblem, unknownRegionProblem, unknownServiceProblem } from '../../src/core/planner/plan-context';
import type { ServiceDemand } from '../../src/core/planner/plan-types';
import { assembleSnapshot } from '../../src/core/snapshot';
import { fleetReading } from '../support/fleet-fixture';

/** api in three regions, web only in us-east-1 and eu-west-1; three snapshot warnings: about api, about web, about no service. */
function index() {
  const snapshot = assembleSnapshot(
    fleetReading([
      { name: 'api', dns: 'api.example.com', regions: { 'us-east-1': { desired: 4, weight: 1 }, 'us-west-2': { desired: 4, weight: 1 }, 'eu-west-1': { desired: 4, weight: 1 } } },
      { name: 'web', dns: 'www.example.com', regions: { 'us-east-1': { desired: 4, weight: 1 }, 'eu-west-1': { desired: 4, weight: 1 } } },
    ]),
  );
  snapshot.warnings = [
    { code: 'LOAD_UNREADABLE', message: 'api load', service: 'api', region: 'us-west-2' },
    { code: 'LOAD_UNREADABLE', message: 'web load', service: 'web' },
    { code: 'REGION_FROM_SNAPSHOT', message: 'old reading' },
  ] as typeof snapshot.warnings;
  return indexFleet(snapshot);
}

/** Defaults unlike any intent's, so a plan shows which it took. */
const ctx: PlanContext = { models: new Map(), defaultModel: 'proportional', defaultStages: 3, maxSizeGrowth: 2 };

describe('emptyPlan', () => {
  it('takes the model and MaxSize growth the intent asks, the context’s otherwise', () => {
    const asked = emptyPlan(index(), { kind: 'evacuate', region: 'us-east-1', model: 'erlang-c', maxSizeGrowth: 1.5 }, ctx);
    expect([asked.model, asked.maxSizeGrowth]).toEqual(['erlang-c', 1.5]);
    const defaulted = emptyPlan(index(), { kind: 'evacuate', region: 'us-east-1' }, ctx);
    expect([defaulted.model, defaulted.maxSizeGrowth]).toEqual(['proportional', 2]);
    const restore = emptyPlan(index(), { kind: 'restore', region: 'us-east-1', previous: index().snapshot }, ctx);
    expect([restore.model, restore.maxSizeGrowth]).toEqual(['proportional', 2]);
  });

  it('starts empty, with the snapshot’s time and regions and the intent’s kind', () => {
    const p = emptyPlan(index(), { kind: 'shift', from: 'us-east-1', percent: 50 }, ctx);
    expect(p).toMatchObject({
      kind: 'shift',
      intent: { kind: 'shift', from: 'us-east-1', percent: 50 },
      snapshotTakenAt: '2026-11-24T12:00:00.000Z',
      regions: ['us-east-1', 'us-west-2', 'eu-west-1'],
      names: [],
      services: [],
      groupChanges: [],
      stages: [],
      finalGroupChanges: [],
      blockers: [],
    });
  });

  it('shows the intent as asked: without a restore’s previous snapshot or a reconcile’s resolved target', () => {
    const restore = emptyPlan(index(), { kind: 'restore', region: 'us-east-1', stages: 2, previous: index().snapshot, stillEvacuated: ['eu-west-1'] }, ctx);
    expect(restore.intent).toEqual({ kind: 'restore', region: 'us-east-1', stages: 2, stillEvacuated: ['eu-west-1'] });
    const reconcile = emptyPlan(index(), { kind: 'reconcile', stages: 1, target: { weights: {}, bounds: [], source: 'pins' } } as unknown as Intent, ctx);
    expect(reconcile.intent).toEqual({ kind: 'reconcile', stages: 1 });
  });

  it('carries the snapshot’s warnings about the services asked, or about no service, their other fields as details', () => {
    const p = emptyPlan(index(), { kind: 'evacuate', region: 'us-east-1', services: ['api'] }, ctx);
    expect(p.warnings).toEqual([
      { code: 'LOAD_UNREADABLE', message: 'api load', details: { service: 'api', region: 'us-west-2' } },
      { code: 'REGION_FROM_SNAPSHOT', message: 'old reading' },
    ]);
  });

  it('carries every snapshot warning when the intent names no services', () => {
    const all = ['api load', 'web load', 'old reading'];
    expect(emptyPlan(index(), { kind: 'evacuate', region: 'us-east-1' }, ctx).warnings.map((w) => w.message)).toEqual(all);
    expect(emptyPlan(index(), { kind: 'scale', region: 'us-east-1', service: 'api', desiredCapacity: 5 }, ctx).warnings.map((w) => w.message)).toEqual(all);
  });
});

describe('unknownRegionProblem', () => {
  it('names the managed regions and suggests the nearest when it looks like a slip', () => {
    // us-east-2 is one edit from us-east-1 (and two from us-west-2).
    expect(unknownRegionProblem(index(), 'us-east-2')).toEqual({
      code: 'LB_ERR_UNKNOWN_REGION',
      message: 'us-east-2 is not a managed region (did you mean us-east-1?) (managed: us-east-1, us-west-2, eu-west-1)',
      details: { region: 'us-east-2', suggestion: 'us-east-1', managedRegions: ['us-east-1', 'us-west-2', 'eu-west-1'] },
    });
  });

  it('suggests nothing for a region nothing like a managed one', () => {
    expect(unknownRegionProblem(index(), 'ap-southeast-2')).toEqual({
      code: 'LB_ERR_UNKNOWN_REGION',
      message: 'ap-southeast-2 is not a managed region (managed: us-east-1, us-west-2, eu-west-1)',
      details: { region: 'ap-southeast-2', managedRegions: ['us-east-1', 'us-west-2', 'eu-west-1'] },
    });
  });
});

describe('unknownServiceProblem', () => {
  it('lists every service and suggests the nearest, when no region is given', () => {
    expect(unknownServiceProblem(index(), 'wbe')).toEqual({
      code: 'LB_ERR_UNKNOWN_SERVICE',
      message: 'no managed Auto Scaling group serves wbe (did you mean web?) (services: api, web)',
      details: { service: 'wbe', suggestion: 'web', services: ['api', 'web'] },
    });
  });

  it('in a region, lists and suggests only the services with groups there', () => {
    // web has no group in us-west-2: "wbe" is three edits from api, too far for a slip.
    expect(unknownServiceProblem(index(), 'wbe', 'us-west-2')).toEqual({
      code: 'LB_ERR_UNKNOWN_SERVICE',
      message: 'no managed Auto Scaling group serves wbe in us-west-2 (services: api)',
      details: { service: 'wbe', region: 'us-west-2', services: ['api'] },
    });
  });

  it('says "none" where no service has groups', () => {
    expect(unknownServiceProblem(index(), 'api', 'ap-south-1')).toEqual({
      code: 'LB_ERR_UNKNOWN_SERVICE',
      message: 'no managed Auto Scaling group serves api in ap-south-1 (services: none)',
      details: { service: 'api', region: 'ap-south-1', services: [] },
    });
  });
});

describe('shortfallProblem', () => {
  type SizedBy = NonNullable<Parameters<typeof shortfallProblem>[1]>[number];
  const shortfalls = [
    { service: 'api', region: 'us-west-2', required: 20, ceiling: 15, short: 5 },
    { service: 'web', region: 'eu-west-1', required: 8, ceiling: 6, short: 2 },
  ];
  const ceilings = 'Their ceilings (MaxSize × the growth allowed) are below what the model asks.';
  const remedies = 'Raise MaxSize (or maxSizeGrowth), shift less traffic, or pass force: true to accept the shortfall.';
  const counts: ServiceDemand = { how: 'counts' };
  const peak = { how: 'measured', source: { day: '2026-11-23' } } as unknown as ServiceDemand;
  const now = { how: 'measured', source: 'now' } as unknown as ServiceDemand;

  it('lists each (service, region) short, and always names the ceilings and the remedies', () => {
    expect(shortfallProblem(shortfalls)).toEqual({
      code: 'LB_ERR_SHORTFALL',
      message: 'survivors cannot reach the capacity they need: api in us-west-2 needs 20 but can reach 15 (short 5); web in eu-west-1 needs 8 but can reach 6 (short 2)',
      details: { shortfalls },
      hint: `${ceilings} ${remedies}`,
    });
  });

  it('blames demand estimated from instance counts, with the first such service’s model and why measured load was unavailable', () => {
    const sizedBy: SizedBy[] = [
      { service: 'db', model: { name: 'erlang-c' }, demand: counts },
      { service: 'api', model: { name: 'proportional' }, demand: counts },
      { service: 'web', model: { name: 'throughput' }, demand: counts, fellBack: { from: 'measured', reason: 'no load metric' } },
    ];
    expect(shortfallProblem(shortfalls, sizedBy).hint).toBe(
      `${ceilings} The demand of api, web is estimated from instance counts (model proportional), which counts instances survivors already run beyond their need (left by an earlier evacuation, say) as load: model measured sizes from CloudWatch load instead (unavailable here: no load metric); throughput or erlang-c from a demand you give. ${remedies}`,
    );
  });

  it('does not say why measured load was unavailable when no counted service fell back', () => {
    const hint = shortfallProblem(shortfalls, [{ service: 'api', model: { name: 'proportional' }, demand: counts }]).hint!;
    expect(hint).toContain('The demand of api is estimated from instance counts (model proportional),');
    expect(hint).toContain('model measured sizes from CloudWatch load instead; throughput or erlang-c');
  });

  it('points a service sized for the peak ahead to horizon 0, not one sized for now', () => {
    const one = shortfallProblem(shortfalls, [
      { service: 'api', model: { name: 'measured' }, demand: peak },
      { service: 'web', model: { name: 'measured' }, demand: now },
    ]);
    expect(one.hint).toBe(`${ceilings} api is sized for the peak expected ahead; parameters {"horizon": 0} size for the demand now. ${remedies}`);
    const two = shortfallProblem(shortfalls, [
      { service: 'api', model: { name: 'measured' }, demand: peak },
      { service: 'web', model: { name: 'measured' }, demand: peak },
    ]);
    expect(two.hint).toBe(`${ceilings} api, web are sized for the peak expected ahead; parameters {"horizon": 0} size for the demand now. ${remedies}`);
  });
});
