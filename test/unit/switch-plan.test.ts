import { describe, expect, it } from 'vitest';
import type { WeightedRecord } from '../../src/core/fleet';
import type { RegionSwitchStatus, SwitchAlarmReading, SwitchReading } from '../../src/core/switches';
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

describe('switch design: the edges', () => {
  it('names the alarm after the region and references the health check by region and alarm region', () => {
    expect(switchDesign('us-east-1', CONTROL)).toEqual({
      region: 'us-east-1',
      alarm: { region: 'us-west-2', name: 'lifeboat-switch-us-east-1' },
      callerReference: 'lifeboat-switch:us-east-1:us-west-2',
    });
  });

  it('falls back to the region itself when no other control region is named (a problem the planner reports)', () => {
    expect(switchDesign('us-east-1', ['us-east-1']).alarm.region).toBe('us-east-1');
    expect(switchDesign('us-east-1', []).alarm.region).toBe('us-east-1');
  });

  it('cuts the CallerReference at Route 53\'s 64 characters', () => {
    // 'lifeboat-switch:' (16) + a 30-character region + ':' (1) + a 30-character region = 77 characters: the first 64 are kept.
    const region = 'xx-'.padEnd(30, 'a');
    const control = 'yy-'.padEnd(30, 'b');
    expect(switchDesign(region, [control]).callerReference).toBe(`lifeboat-switch:${region}:${control}`.slice(0, 64));
    expect(switchDesign(region, [control]).callerReference).toBe(`lifeboat-switch:${region}:yy-${'b'.repeat(14)}`);
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

describe('the switch planner: what counts as prepared', () => {
  const eastAlarm = switchDesign('us-east-1', CONTROL).alarm;
  const east = (reading: SwitchReading, controlRegions = CONTROL) => planSwitches(['us-east-1'], controlRegions, reading).regions[0]!;

  it('takes an alarm read without its settings (as some endpoints return it) for the design', () => {
    const reading = prepared();
    reading.alarms[0] = { region: eastAlarm.region, name: eastAlarm.name, state: 'OK' };
    const plan = planSwitches(REGIONS, CONTROL, reading);
    expect(plan.changes).toEqual([]);
    expect(plan.regions[0]).toMatchObject({ prepared: true, problems: [] });
  });

  it('names every setting of an alarm that differs from the design', () => {
    const reading = prepared();
    reading.alarms[0] = {
      ...alarmFor('us-east-1'),
      namespace: 'Other',
      metric: 'Switch',
      statistic: 'Average',
      threshold: 5,
      comparison: 'GreaterThanThreshold',
      treatMissingData: 'breaching',
    };
    expect(east(reading).problems).toEqual([
      'alarm lifeboat-switch-us-east-1 differs: namespace Other, metric Switch, statistic Average, threshold 5, comparison GreaterThanThreshold, treatMissingData breaching',
    ]);
  });

  it.each([
    ['no dimension', []],
    ['a second dimension', [{ name: 'Region', value: 'us-east-1' }, { name: 'Zone', value: 'a' }]],
    ['another dimension name', [{ name: 'Zone', value: 'us-east-1' }]],
    ['another region', [{ name: 'Region', value: 'us-west-2' }]],
  ])('repairs an alarm on the wrong dimensions: %s', (_case, dimensions) => {
    const reading = prepared();
    reading.alarms[0] = { ...alarmFor('us-east-1'), dimensions };
    expect(east(reading).problems).toEqual(['alarm lifeboat-switch-us-east-1 differs: dimensions']);
    expect(planSwitches(['us-east-1'], CONTROL, reading).changes).toEqual([{ kind: 'put-alarm', region: 'us-east-1', alarm: eastAlarm, why: 'differs' }]);
  });

  it('looks for the alarm by its name in its own control region only', () => {
    const reading = prepared();
    // The right name in the wrong region, and the wrong name in the right one: both missing.
    reading.alarms[0] = { ...alarmFor('us-east-1'), region: 'eu-west-1' };
    reading.alarms.push({ ...alarmFor('us-east-1'), name: 'lifeboat-switch-other' });
    const plan = planSwitches(['us-east-1'], CONTROL, reading);
    expect(plan.changes).toEqual([
      { kind: 'put-alarm', region: 'us-east-1', alarm: eastAlarm, why: 'missing' },
      { kind: 'switch-on', region: 'us-east-1', alarm: eastAlarm },
    ]);
    expect(plan.regions[0]).toMatchObject({ position: 'unknown', prepared: false });
    expect(plan.regions[0]).not.toHaveProperty('alarmState');
  });

  it('turns on an alarm that was never set, without rewriting it, and does not count it prepared until then', () => {
    const reading = prepared();
    reading.alarms[0] = alarmFor('us-east-1', 'INSUFFICIENT_DATA');
    const plan = planSwitches(['us-east-1'], CONTROL, reading);
    expect(plan.changes).toEqual([{ kind: 'switch-on', region: 'us-east-1', alarm: eastAlarm }]);
    expect(plan.regions[0]).toMatchObject({ position: 'unknown', alarmState: 'INSUFFICIENT_DATA', prepared: false, problems: [] });
  });

  it('finds the health check by CallerReference and type, and by alarm when the endpoint names one', () => {
    const own = { ...checkFor('us-east-1'), alarm: eastAlarm };
    const found = (healthChecks: SwitchReading['healthChecks']) => east({ ...prepared(), healthChecks }).healthCheckId;
    expect(found([own])).toBe('hc-us-east-1');
    expect(found([{ ...own, type: 'HTTPS' }])).toBeUndefined();
    expect(found([{ ...own, callerReference: 'lifeboat-switch:us-east-1:eu-west-1' }])).toBeUndefined();
    expect(found([{ ...own, alarm: { region: eastAlarm.region, name: 'lifeboat-switch-other' } }])).toBeUndefined();
    expect(found([{ ...own, alarm: { region: 'eu-west-1', name: eastAlarm.name } }])).toBeUndefined();
  });

  it('counts only the records whose SetIdentifier is the region', () => {
    const reading = prepared();
    reading.records.push({ ...record('us-east-1', 'blue.example.com'), setIdentifier: 'us-east-1-blue' });
    const status = east(reading);
    expect(status.records).toBe(2);
    expect(status.prepared).toBe(true);
  });

  it('says a region without records steers nothing, and is not prepared', () => {
    const reading = { ...prepared(), records: prepared().records.filter((r) => r.region !== 'us-east-1') };
    const status = east(reading);
    expect(status.problems).toEqual(['no weighted record has SetIdentifier us-east-1: the switch steers nothing']);
    expect(status).toMatchObject({ records: 0, prepared: false, recordsMissingHealthCheck: [] });
  });

  it('refuses a switch whose alarm would live in its own region', () => {
    const reading = prepared();
    const own = switchDesign('us-east-1', ['us-east-1']);
    reading.alarms = [{ ...alarmFor('us-east-1'), region: 'us-east-1' }];
    reading.healthChecks = [{ ...checkFor('us-east-1'), callerReference: own.callerReference }];
    const plan = planSwitches(['us-east-1'], ['us-east-1'], reading);
    expect(plan.regions[0]!.problems).toEqual(['its alarm would live in us-east-1 itself: name another control region']);
    expect(plan.regions[0]!.prepared).toBe(false);
    expect(plan.controlRegions).toEqual(['us-east-1']);
    expect(plan.blockers).toEqual([
      {
        code: 'LB_ERR_VALIDATION',
        message: 'region switches need at least two control regions (LIFEBOAT_SWITCH_REGIONS has 1): the alarm of a region lives in another one',
        details: { controlRegions: ['us-east-1'] },
      },
    ]);
  });

  it('counts a control region named twice once', () => {
    const plan = planSwitches(REGIONS, ['us-east-1', 'us-east-1'], prepared());
    expect(plan.controlRegions).toEqual(['us-east-1']);
    expect(plan.blockers.map((b) => b.code)).toEqual(['LB_ERR_VALIDATION']);
  });

  it('leaves the alarm of a region it cannot read alone, says why, and still plans its health check', () => {
    const reading = { ...prepared(), healthChecks: [], unreadable: [{ region: 'us-west-2', message: 'throttled' }] };
    const plan = planSwitches(['us-east-1'], CONTROL, reading);
    expect(plan.blockers).toEqual([
      {
        code: 'LB_ERR_AWS_UNAVAILABLE',
        message: 'the switch of us-east-1 cannot be checked: CloudWatch in us-west-2 could not be read (throttled)',
        details: { region: 'us-east-1', alarmRegion: 'us-west-2' },
      },
    ]);
    expect(plan.regions[0]!.problems).toEqual(['CloudWatch in us-west-2 could not be read: throttled']);
    expect(plan.changes.map((c) => c.kind)).toEqual(['create-health-check', 'attach-health-check', 'attach-health-check']);
  });

  it('describes a record whose health check it replaces, and warns with the record\'s name and the check', () => {
    const reading = prepared();
    reading.records[0]!.healthCheckId = 'someone-elses';
    const plan = planSwitches(['us-east-1'], CONTROL, reading);
    expect(plan.regions[0]!.recordsMissingHealthCheck).toEqual([{ zoneId: 'Z1', name: 'api.example.com', type: 'A', setIdentifier: 'us-east-1', healthCheckId: 'someone-elses' }]);
    expect(plan.warnings).toEqual([
      {
        code: 'SWITCH_REPLACES_HEALTH_CHECK',
        message: "api.example.com A (us-east-1) has health check someone-elses; the switch's replaces it",
        details: { region: 'us-east-1', name: 'api.example.com', healthCheckId: 'someone-elses' },
      },
    ]);
  });

  it('reports each region\'s status in full', () => {
    const reading = prepared();
    reading.alarms[0] = alarmFor('us-east-1', 'ALARM');
    expect(east(reading)).toEqual({
      region: 'us-east-1',
      alarm: eastAlarm,
      alarmState: 'ALARM',
      position: 'off',
      healthCheckId: 'hc-us-east-1',
      records: 2,
      recordsMissingHealthCheck: [],
      prepared: true,
      problems: [],
    });
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

describe('fallback "switch": the reasons it gives', () => {
  const status = (over: Partial<RegionSwitchStatus>): RegionSwitchStatus => ({
    region: 'us-east-1',
    alarm: { region: 'us-west-2', name: 'lifeboat-switch-us-east-1' },
    alarmState: 'OK',
    position: 'on',
    healthCheckId: 'hc-us-east-1',
    records: 2,
    recordsMissingHealthCheck: [],
    prepared: false,
    problems: [],
    ...over,
  });
  const why = (s: RegionSwitchStatus | undefined) => switchNotPrepared(s, 'us-east-1')!.message.replace('fallback "switch" needs the switch of us-east-1 prepared: ', '');

  it('refuses a region no switch is designed for, saying what to do', () => {
    expect(switchNotPrepared(undefined, 'us-east-1')).toEqual({
      code: 'LB_ERR_SWITCH_NOT_PREPARED',
      message: 'fallback "switch" needs the switch of us-east-1 prepared: no switch is designed for it',
      details: { region: 'us-east-1' },
      hint: 'Run prepare-switches first (POST /v1/switches/prepare, lifeboat switches prepare, or prepareSwitches() in the REPL), or evacuate without fallback.',
    });
  });

  it('gives the planner\'s problems when it has some', () => {
    expect(why(status({ problems: ['a', 'b'] }))).toBe('a; b');
  });

  it('lists what is missing otherwise', () => {
    const missing = { zoneId: 'Z1', name: 'api.example.com', type: 'A', setIdentifier: 'us-east-1' };
    expect(why(status({ alarmState: undefined, healthCheckId: undefined, recordsMissingHealthCheck: [missing, missing] }))).toBe(
      'no alarm lifeboat-switch-us-east-1 in us-west-2; no health check; 2 record(s) without its health check',
    );
    expect(why(status({ alarmState: 'INSUFFICIENT_DATA' }))).toBe('alarm lifeboat-switch-us-east-1 was never set');
    expect(why(status({}))).toBe('it is not complete');
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

  it('leaves the region\'s records of another SetIdentifier, and other names, as they are', () => {
    const records = [record('us-east-1', 'api.example.com'), { ...record('us-east-1', 'api.example.com'), setIdentifier: 'us-east-1-blue' }, record('us-west-2', 'api.example.com')];
    const traffic = [
      { name: 'api.example.com', region: 'us-east-1', weight: 1, share: 0.5 },
      { name: 'api.example.com', region: 'us-west-2', weight: 1, share: 0.5 },
      { name: 'www.example.com', region: 'us-west-2', weight: 3, share: 0.75 },
      { name: 'www.example.com', region: 'eu-west-1', weight: 1, share: 0.25 },
    ];
    const snapshot = { records, traffic } as unknown as Parameters<typeof asSwitchedOff>[0];
    const off = asSwitchedOff(snapshot, 'us-east-1');
    expect(off.records.map((r) => [r.setIdentifier, r.weight])).toEqual([['us-east-1', 0], ['us-east-1-blue', 10], ['us-west-2', 10]]);
    // api: us-west-2 alone, 1 of 1; www has no us-east-1 and keeps 3 : 1.
    expect(off.traffic.map((t) => [t.name, t.region, t.weight, t.share])).toEqual([
      ['api.example.com', 'us-east-1', 0, 0],
      ['api.example.com', 'us-west-2', 1, 1],
      ['www.example.com', 'us-west-2', 3, 0.75],
      ['www.example.com', 'eu-west-1', 1, 0.25],
    ]);
  });
});
