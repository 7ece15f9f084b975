import { describe, expect, it } from 'vitest';
import type { WeightedRecord } from '../../src/core/fleet';
import type { SwitchAlarmReading, SwitchReading } from '../../src/core/switches';
import { SWITCH_ALARM_SHAPE, asSwitchedOff, planSwitches, switchDesign, switchNotPrepared } from '../../src/core/switches';

const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];
const CONTROL = ['us-east-1', 'us-west-2'];

function record(region: string, name: string, healthCheckId?: string): WeightedRecord {
  return { zoneId: 'Z1', zoneName: 'example.com', name, type: 'A', region, setIdentifier: region, weight: 10, ttl: 60, resourceRecords: ['192.0.2.1'], ...(healthCheckId ? { healthCheckId } : {}) };
}

function alarmFor(region: string, state: SwitchAlarmReading['state'] = 'OK'): SwitchAlarmReading {
  const d = switchDesign(region, CONTROL);
  const s = SWITCH_ALARM_SHAPE;
  return {
    region: d.alarm.region,
    name: d.alarm.name,
    state,
    namespace: s.namespace,
    metric: s.metric,
    dimensions: [{ name: 'Region', value: region }],
    statistic: s.statistic,
    threshold: s.threshold,
    comparison: s.comparison,
    treatMissingData: s.treatMissingData,
  };
}

const checkFor = (region: string) => ({ id: `hc-${region}`, callerReference: switchDesign(region, CONTROL).callerReference, type: 'CLOUDWATCH_METRIC' });

/** Every region prepared: an alarm OK, a health check, each record carrying it. */
function prepared(): SwitchReading {
  return {
    alarms: REGIONS.map((r) => alarmFor(r)),
    healthChecks: REGIONS.map(checkFor),
    records: REGIONS.flatMap((r) => [record(r, 'api.example.com', `hc-${r}`), record(r, 'web.example.com', `hc-${r}`)]),
  };
}

describe('switch design', () => {
  it('puts a region\'s alarm in the first control region that is not the region itself', () => {
    expect(switchDesign('us-east-1', CONTROL).alarm).toEqual({ region: 'us-west-2', name: 'lifeboat-switch-us-east-1' });
    expect(switchDesign('us-west-2', CONTROL).alarm.region).toBe('us-east-1');
    expect(switchDesign('eu-west-1', CONTROL).alarm.region).toBe('us-east-1');
  });

  it('derives the same CallerReference every time, and another one for another alarm region', () => {
    expect(switchDesign('us-east-1', CONTROL).callerReference).toBe(switchDesign('us-east-1', [...CONTROL]).callerReference);
    expect(switchDesign('us-east-1', ['eu-west-1', 'us-west-2']).callerReference).not.toBe(switchDesign('us-east-1', CONTROL).callerReference);
    expect(switchDesign('ap-southeast-2', ['ap-northeast-1', 'ap-southeast-1']).callerReference.length).toBeLessThanOrEqual(64);
  });
});

describe('the switch planner', () => {
  it('on an empty account: puts each alarm, turns it on, creates each health check, then attaches it to each record of its region', () => {
    const records = REGIONS.map((r) => record(r, 'api.example.com'));
    const plan = planSwitches(REGIONS, CONTROL, { alarms: [], healthChecks: [], records });
    expect(plan.blockers).toEqual([]);
    expect(plan.changes.map((c) => [c.kind, c.region])).toEqual([
      ...REGIONS.flatMap((r) => [['put-alarm', r], ['switch-on', r]]),
      ...REGIONS.map((r) => ['create-health-check', r]),
      ...REGIONS.map((r) => ['attach-health-check', r]),
    ]);
    // The health checks do not exist yet: the attach takes the one the same plan creates.
    for (const c of plan.changes.filter((c) => c.kind === 'attach-health-check')) expect(c).not.toHaveProperty('healthCheckId');
    expect(plan.regions.every((s) => !s.prepared && s.position === 'unknown' && s.recordsMissingHealthCheck.length === 1)).toBe(true);
  });

  it('changes nothing where every switch is prepared, and reports them on', () => {
    const plan = planSwitches(REGIONS, CONTROL, prepared());
    expect(plan.changes).toEqual([]);
    expect(plan.regions.map((s) => [s.region, s.prepared, s.position, s.healthCheckId])).toEqual(REGIONS.map((r) => [r, true, 'on', `hc-${r}`]));
  });

  it('attaches the existing health check to a record that lost it, naming the record', () => {
    const reading = prepared();
    const lost = reading.records.find((r) => r.region === 'eu-west-1' && r.name === 'web.example.com')!;
    delete lost.healthCheckId;
    const plan = planSwitches(REGIONS, CONTROL, reading);
    expect(plan.changes).toEqual([{ kind: 'attach-health-check', region: 'eu-west-1', record: lost, healthCheckId: 'hc-eu-west-1' }]);
    const status = plan.regions.find((s) => s.region === 'eu-west-1')!;
    expect(status.prepared).toBe(false);
    expect(status.recordsMissingHealthCheck).toEqual([{ zoneId: 'Z1', name: 'web.example.com', type: 'A', setIdentifier: 'eu-west-1' }]);
  });

  it('replaces another health check on a record, with a warning', () => {
    const reading = prepared();
    reading.records[0]!.healthCheckId = 'someone-elses';
    const plan = planSwitches(REGIONS, CONTROL, reading);
    expect(plan.changes).toEqual([{ kind: 'attach-health-check', region: 'us-east-1', record: reading.records[0], healthCheckId: 'hc-us-east-1', replaces: 'someone-elses' }]);
    expect(plan.warnings.map((w) => w.code)).toEqual(['SWITCH_REPLACES_HEALTH_CHECK']);
  });

  it('repairs an alarm that differs without turning a switch that is off back on', () => {
    const reading = prepared();
    reading.alarms[0] = { ...alarmFor('us-east-1', 'ALARM'), threshold: 5 };
    const plan = planSwitches(REGIONS, CONTROL, reading);
    expect(plan.changes).toEqual([{ kind: 'put-alarm', region: 'us-east-1', alarm: switchDesign('us-east-1', CONTROL).alarm, why: 'differs' }]);
    expect(plan.regions[0]).toMatchObject({ position: 'off', prepared: false });
  });

  it('repairs an alarm whose period or evaluation periods would make the switch slow to turn off', () => {
    // The design: one period of 60 s. An alarm over 5 periods of an hour would take the region out hours late.
    const reading = prepared();
    reading.alarms[0] = { ...alarmFor('us-east-1'), periodSeconds: 3600, evaluationPeriods: 5 };
    const plan = planSwitches(REGIONS, CONTROL, reading);
    expect(plan.changes).toEqual([{ kind: 'put-alarm', region: 'us-east-1', alarm: switchDesign('us-east-1', CONTROL).alarm, why: 'differs' }]);
    expect(plan.regions[0]!.problems).toEqual(['alarm lifeboat-switch-us-east-1 differs: period 3600, evaluationPeriods 5']);
    expect(plan.regions[0]!.prepared).toBe(false);
    // The design's own period and evaluation periods, read back, are no difference.
    reading.alarms[0] = { ...alarmFor('us-east-1'), periodSeconds: 60, evaluationPeriods: 1 };
    expect(planSwitches(REGIONS, CONTROL, reading).regions[0]).toMatchObject({ prepared: true, problems: [] });
  });

  it('reports a switch that is off as prepared and off', () => {
    const reading = prepared();
    reading.alarms[0] = alarmFor('us-east-1', 'ALARM');
    const plan = planSwitches(REGIONS, CONTROL, reading);
    expect(plan.changes).toEqual([]);
    expect(plan.regions[0]).toMatchObject({ position: 'off', prepared: true, alarmState: 'ALARM' });
  });

  it('does not take a health check of another alarm for the switch\'s own', () => {
    const reading = prepared();
    reading.healthChecks[1] = { ...checkFor('us-west-2'), alarm: { region: 'eu-west-1', name: 'other' } };
    const plan = planSwitches(REGIONS, CONTROL, reading);
    expect(plan.changes.map((c) => [c.kind, c.region])).toEqual([['create-health-check', 'us-west-2'], ['attach-health-check', 'us-west-2'], ['attach-health-check', 'us-west-2']]);
  });

  it('blocks on fewer than two control regions, and on an alarm region that cannot be read', () => {
    expect(planSwitches(REGIONS, ['us-east-1'], prepared()).blockers.map((b) => b.code)).toContain('LB_ERR_VALIDATION');
    const plan = planSwitches(REGIONS, CONTROL, { ...prepared(), unreadable: [{ region: 'us-west-2', message: 'no answer' }] });
    expect(plan.blockers.map((b) => [b.code, b.details?.region])).toEqual([['LB_ERR_AWS_UNAVAILABLE', 'us-east-1']]);
    expect(plan.changes).toEqual([]);
    expect(plan.regions[0]!.prepared).toBe(false);
  });
});

describe('fallback "switch" refused unless prepared', () => {
  it('names what is missing', () => {
    const plan = planSwitches(REGIONS, CONTROL, { alarms: [], healthChecks: [], records: [record('us-east-1', 'api.example.com')] });
    const refusal = switchNotPrepared(plan.regions[0], 'us-east-1');
    expect(refusal?.code).toBe('LB_ERR_SWITCH_NOT_PREPARED');
    expect(refusal?.message).toContain('no alarm lifeboat-switch-us-east-1 in us-west-2');
    expect(switchNotPrepared(planSwitches(REGIONS, CONTROL, prepared()).regions[0], 'us-east-1')).toBeUndefined();
  });
});

describe('the fleet as Route 53 answers it while a switch is off', () => {
  it('counts the region\'s records as weight 0 and gives its share to the others by their weights', () => {
    const traffic = [
      { name: 'api.example.com', region: 'us-east-1', weight: 100, share: 0.5 },
      { name: 'api.example.com', region: 'us-west-2', weight: 60, share: 0.3 },
      { name: 'api.example.com', region: 'eu-west-1', weight: 40, share: 0.2 },
    ];
    const snapshot = { records: REGIONS.map((r) => record(r, 'api.example.com')), traffic } as unknown as Parameters<typeof asSwitchedOff>[0];
    const off = asSwitchedOff(snapshot, 'us-east-1');
    expect(off.records.map((r) => [r.region, r.weight])).toEqual([['us-east-1', 0], ['us-west-2', 10], ['eu-west-1', 10]]);
    expect(off.traffic.map((t) => [t.region, t.weight, t.share])).toEqual([['us-east-1', 0, 0], ['us-west-2', 60, 60 / 100], ['eu-west-1', 40, 40 / 100]]);
  });
});
