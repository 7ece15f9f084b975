import { describe, expect, it } from 'vitest';
import type { PrepareSwitchesIntent } from '../../src/core/intents';
import { indexFleet } from '../../src/core/planner/fleet-index';
import { planPrepareSwitches } from '../../src/core/planner/prepare-switches-plan';
import { assembleSnapshot } from '../../src/core/snapshot';
import type { SwitchAlarmReading } from '../../src/core/switches';
import { SWITCH_ALARM_SHAPE, switchDesign } from '../../src/core/switches';
import { fleetReading } from '../support/fleet-fixture';

/** api and web behind api.example.com and www.example.com, a weighted record per region each; alarms live in us-east-1 and us-west-2. */
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];
const CONTROL = ['us-east-1', 'us-west-2'];

function index(healthChecked = false) {
  const spec = Object.fromEntries(REGIONS.map((r) => [r, { desired: 2, weight: 1 }]));
  const snapshot = assembleSnapshot(
    fleetReading([
      { name: 'api', dns: 'api.example.com', regions: spec },
      { name: 'web', dns: 'www.example.com', regions: spec },
    ]),
  );
  if (healthChecked) snapshot.records = snapshot.records.map((r) => ({ ...r, healthCheckId: `hc-${r.region}` }));
  return indexFleet(snapshot);
}

function alarm(region: string): SwitchAlarmReading {
  const d = switchDesign(region, CONTROL);
  const s = SWITCH_ALARM_SHAPE;
  return { region: d.alarm.region, name: d.alarm.name, state: 'OK', namespace: s.namespace, metric: s.metric, dimensions: [{ name: 'Region', value: region }], statistic: s.statistic, threshold: s.threshold, comparison: s.comparison, treatMissingData: s.treatMissingData };
}

const check = (region: string) => ({ id: `hc-${region}`, callerReference: switchDesign(region, CONTROL).callerReference, type: 'CLOUDWATCH_METRIC' });

const intent = (over: Partial<PrepareSwitchesIntent> = {}): PrepareSwitchesIntent => ({
  kind: 'prepare-switches',
  controlRegions: CONTROL,
  reading: { alarms: [], healthChecks: [] },
  ...over,
});

describe('planPrepareSwitches', () => {
  it('on an account without switches: a plan of the switch changes, naming each record name it attaches a check to, once', () => {
    const p = planPrepareSwitches(index(), intent());
    expect(p).toMatchObject({
      kind: 'prepare-switches',
      intent: { kind: 'prepare-switches' },
      model: '',
      maxSizeGrowth: 1,
      snapshotTakenAt: '2026-11-24T12:00:00.000Z',
      regions: REGIONS,
      names: ['api.example.com', 'www.example.com'],
      services: [],
      groupChanges: [],
      stages: [],
      finalGroupChanges: [],
      warnings: [],
      blockers: [],
    });
    expect(p.intent).toEqual({ kind: 'prepare-switches' });
    // Per region: put the alarm, switch it on, create the health check, attach it to 2 records → 3 × 5 = 15.
    expect(p.switches!.changes).toHaveLength(15);
    expect(p.switches!.controlRegions).toEqual(CONTROL);
  });

  it('prepares only the regions asked, and shows them in the intent', () => {
    const p = planPrepareSwitches(index(), intent({ regions: ['eu-west-1'] }));
    expect(p.regions).toEqual(['eu-west-1']);
    expect(p.intent).toEqual({ kind: 'prepare-switches', regions: ['eu-west-1'] });
    expect(p.switches!.regions.map((s) => s.region)).toEqual(['eu-west-1']);
    expect([...new Set(p.switches!.changes.map((c) => c.region))]).toEqual(['eu-west-1']);
  });

  it('has nothing to do when every switch is prepared, and says which regions', () => {
    const p = planPrepareSwitches(index(true), intent({ reading: { alarms: REGIONS.map(alarm), healthChecks: REGIONS.map(check) } }));
    expect(p.switches!.changes).toEqual([]);
    expect(p.names).toEqual([]);
    expect(p.blockers).toEqual([{ code: 'LB_ERR_NOTHING_TO_DO', message: 'every switch of us-east-1, us-west-2, eu-west-1 is prepared; nothing to change' }]);
  });

  it('passes on the switch planner’s blockers and warnings, and then does not add nothing-to-do', () => {
    // Checks in place, CloudWatch unreadable in both control regions: no change can be planned, each region is blocked.
    const unreadable = CONTROL.map((region) => ({ region, message: 'timed out' }));
    const p = planPrepareSwitches(index(true), intent({ reading: { alarms: [], healthChecks: REGIONS.map(check), unreadable } }));
    expect(p.switches!.changes).toEqual([]);
    expect(p.blockers.map((b) => [b.code, b.details!.region])).toEqual([
      ['LB_ERR_AWS_UNAVAILABLE', 'us-east-1'],
      ['LB_ERR_AWS_UNAVAILABLE', 'us-west-2'],
      ['LB_ERR_AWS_UNAVAILABLE', 'eu-west-1'],
    ]);
  });

  it('carries the switch planner’s warnings', () => {
    // Records with another health check: the switch's replaces it, with a warning per record (2 names × 3 regions).
    const s = index(true);
    s.snapshot.records = s.snapshot.records.map((r) => ({ ...r, healthCheckId: 'hc-other' }));
    const p = planPrepareSwitches(s, intent({ reading: { alarms: REGIONS.map(alarm), healthChecks: REGIONS.map(check) } }));
    expect(p.warnings).toHaveLength(6);
    expect(p.warnings.every((w) => w.code === 'SWITCH_REPLACES_HEALTH_CHECK')).toBe(true);
    expect(p.blockers).toEqual([]);
  });
});
