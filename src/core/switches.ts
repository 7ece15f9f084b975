import type { Problem } from './errors';
import type { FleetSnapshot, RegionCode, TrafficShare, WeightedRecord } from './fleet';
import { sharesFromWeights } from './snapshot';

/**
 * Region switches: a lever that does not need Route 53's control plane. For each managed
 * region, a CloudWatch alarm in a control region (never the region itself) watches a metric
 * lifeboat owns, and a Route 53 health check of type CLOUDWATCH_METRIC follows that alarm;
 * the health check is attached to every weighted record of the region. Turning the switch
 * off (metric 0, alarm in ALARM) makes the region's records unhealthy, and Route 53's data
 * plane stops answering them while a healthy record remains in the set: no
 * ChangeResourceRecordSets needed. Pure: designs, readings and the plan are data.
 */

export const SWITCH_NAMESPACE = 'lifeboat';
export const SWITCH_METRIC = 'RegionSwitch';
export const SWITCH_DIMENSION = 'Region';

/** What the alarm must look like: ALARM while the metric's minimum is below 1 (the switch is off). */
export const SWITCH_ALARM_SHAPE = {
  namespace: SWITCH_NAMESPACE,
  metric: SWITCH_METRIC,
  statistic: 'Minimum',
  periodSeconds: 60,
  evaluationPeriods: 1,
  threshold: 1,
  comparison: 'LessThanThreshold',
  // Missing data keeps the alarm where it is: a switch turned off stays off without lifeboat sending more.
  treatMissingData: 'ignore',
} as const;

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** One managed region's switch as it should be. */
export interface SwitchDesign {
  region: RegionCode;
  alarm: { region: RegionCode; name: string };
  /** Route 53's CallerReference for the health check: derived from the design, so creating it twice finds it. */
  callerReference: string;
}

/** An alarm as read from CloudWatch (DescribeAlarms) in a control region. */
export interface SwitchAlarmReading {
  region: RegionCode;
  name: string;
  state: AlarmState;
  namespace?: string;
  metric?: string;
  dimensions?: Array<{ name: string; value: string }>;
  statistic?: string;
  periodSeconds?: number;
  evaluationPeriods?: number;
  threshold?: number;
  comparison?: string;
  treatMissingData?: string;
}

/** A health check as read from Route 53 (ListHealthChecks). */
export interface SwitchHealthCheckReading {
  id: string;
  callerReference: string;
  type: string;
  /** What the health check follows; some endpoints (moto) do not return it. */
  alarm?: { region: string; name: string };
  insufficientDataHealthStatus?: string;
}

/** What the switch planner reads: alarms (per control region), health checks, and the managed weighted records. */
export interface SwitchReading {
  alarms: SwitchAlarmReading[];
  healthChecks: SwitchHealthCheckReading[];
  records: WeightedRecord[];
  /** Alarm regions that could not be read: their switches are unknown. */
  unreadable?: Array<{ region: RegionCode; message: string }>;
}

export type SwitchChange =
  | { kind: 'put-alarm'; region: RegionCode; alarm: SwitchDesign['alarm']; why: 'missing' | 'differs' }
  /** A new (or never set) alarm starts with the switch on: metric 1, state OK. */
  | { kind: 'switch-on'; region: RegionCode; alarm: SwitchDesign['alarm'] }
  | { kind: 'create-health-check'; region: RegionCode; alarm: SwitchDesign['alarm']; callerReference: string }
  /** UPSERT the record with the region's health check: `healthCheckId` is absent when the check is created by the same plan. */
  | { kind: 'attach-health-check'; region: RegionCode; record: WeightedRecord; healthCheckId?: string; replaces?: string };

/** One region's switch as it is: what GET /v1/switches reports. */
export interface RegionSwitchStatus {
  region: RegionCode;
  alarm: SwitchDesign['alarm'];
  /** The alarm's state; absent when there is no alarm (or its region could not be read). */
  alarmState?: AlarmState;
  /** on: alarm OK; off: alarm ALARM (Route 53 treats the region's records as unhealthy); unknown otherwise. */
  position: 'on' | 'off' | 'unknown';
  healthCheckId?: string;
  records: number;
  /** Weighted records of the region without the switch's health check. */
  recordsMissingHealthCheck: Array<{ zoneId: string; name: string; type: string; setIdentifier: string; healthCheckId?: string }>;
  /** Alarm, health check and every record in place: the fallback may use it. */
  prepared: boolean;
  problems: string[];
}

export interface SwitchPlan {
  controlRegions: RegionCode[];
  regions: RegionSwitchStatus[];
  changes: SwitchChange[];
  warnings: Array<{ code: string; message: string; details?: Record<string, unknown> }>;
  blockers: Problem[];
}

/** Route 53 caps CallerReference at 64 characters. */
const CALLER_REFERENCE_MAX = 64;

/**
 * The switch of `region`: its alarm lives in the first control region that is not the region
 * itself (the region that fails must not take its own lever with it).
 */
export function switchDesign(region: RegionCode, controlRegions: readonly RegionCode[]): SwitchDesign {
  const alarmRegion = controlRegions.find((r) => r !== region) ?? controlRegions[0] ?? region;
  const name = `lifeboat-switch-${region}`;
  return { region, alarm: { region: alarmRegion, name }, callerReference: callerReferenceOf(region, alarmRegion) };
}

/** Deterministic, one per (region, alarm region): a new alarm region means a new health check. */
function callerReferenceOf(region: RegionCode, alarmRegion: RegionCode): string {
  return `lifeboat-switch:${region}:${alarmRegion}`.slice(0, CALLER_REFERENCE_MAX);
}

/** Why an alarm does not match the design, if it does not. */
function alarmDiffers(a: SwitchAlarmReading, region: RegionCode): string | undefined {
  const s = SWITCH_ALARM_SHAPE;
  const dims = a.dimensions ?? [];
  const wrong: string[] = [];
  if (a.namespace !== undefined && a.namespace !== s.namespace) wrong.push(`namespace ${a.namespace}`);
  if (a.metric !== undefined && a.metric !== s.metric) wrong.push(`metric ${a.metric}`);
  if (a.dimensions !== undefined && !(dims.length === 1 && dims[0]!.name === SWITCH_DIMENSION && dims[0]!.value === region)) wrong.push('dimensions');
  if (a.statistic !== undefined && a.statistic !== s.statistic) wrong.push(`statistic ${a.statistic}`);
  if (a.periodSeconds !== undefined && a.periodSeconds !== s.periodSeconds) wrong.push(`period ${a.periodSeconds}`);
  if (a.evaluationPeriods !== undefined && a.evaluationPeriods !== s.evaluationPeriods) wrong.push(`evaluationPeriods ${a.evaluationPeriods}`);
  if (a.threshold !== undefined && a.threshold !== s.threshold) wrong.push(`threshold ${a.threshold}`);
  if (a.comparison !== undefined && a.comparison !== s.comparison) wrong.push(`comparison ${a.comparison}`);
  if (a.treatMissingData !== undefined && a.treatMissingData !== s.treatMissingData) wrong.push(`treatMissingData ${a.treatMissingData}`);
  return wrong.length ? wrong.join(', ') : undefined;
}

/** The design's health check among those read: by CallerReference, and by alarm where the endpoint says which. */
function healthCheckOf(design: SwitchDesign, checks: readonly SwitchHealthCheckReading[]): SwitchHealthCheckReading | undefined {
  return checks.find(
    (c) =>
      c.callerReference === design.callerReference &&
      c.type === 'CLOUDWATCH_METRIC' &&
      (c.alarm === undefined || (c.alarm.region === design.alarm.region && c.alarm.name === design.alarm.name)),
  );
}

/**
 * Desired against actual: for each region, the alarm to put (missing or different), the
 * health check to create, and each weighted record of the region to attach it to. A region
 * whose alarm region could not be read is left alone and said so (its blocker). Data in,
 * data out; the order of the changes is the order to make them.
 */
export function planSwitches(regions: readonly RegionCode[], controlRegions: readonly RegionCode[], reading: SwitchReading): SwitchPlan {
  const warnings: SwitchPlan['warnings'] = [];
  const blockers: Problem[] = [];
  const distinct = [...new Set(controlRegions)];
  if (distinct.length < 2) {
    blockers.push({
      code: 'LB_ERR_VALIDATION',
      message: `region switches need at least two control regions (LIFEBOAT_SWITCH_REGIONS has ${distinct.length}): the alarm of a region lives in another one`,
      details: { controlRegions: distinct },
    });
  }
  const unreadable = new Map((reading.unreadable ?? []).map((u) => [u.region, u.message]));
  const statuses: RegionSwitchStatus[] = [];
  const alarms: SwitchChange[] = [];
  const checks: SwitchChange[] = [];
  const attaches: SwitchChange[] = [];
  for (const region of regions) {
    const design = switchDesign(region, distinct);
    const problems: string[] = [];
    if (design.alarm.region === region) problems.push(`its alarm would live in ${region} itself: name another control region`);
    const records = reading.records.filter((r) => r.region === region && r.setIdentifier === region);
    const alarm = reading.alarms.find((a) => a.region === design.alarm.region && a.name === design.alarm.name);
    const check = healthCheckOf(design, reading.healthChecks);
    const missing = records.filter((r) => !check || r.healthCheckId !== check.id);
    const alarmUnread = unreadable.get(design.alarm.region);
    if (alarmUnread !== undefined) {
      problems.push(`CloudWatch in ${design.alarm.region} could not be read: ${alarmUnread}`);
      blockers.push({ code: 'LB_ERR_AWS_UNAVAILABLE', message: `the switch of ${region} cannot be checked: CloudWatch in ${design.alarm.region} could not be read (${alarmUnread})`, details: { region, alarmRegion: design.alarm.region } });
    } else {
      const differs = alarm ? alarmDiffers(alarm, region) : undefined;
      if (!alarm || differs) {
        alarms.push({ kind: 'put-alarm', region, alarm: design.alarm, why: alarm ? 'differs' : 'missing' });
        if (differs) problems.push(`alarm ${design.alarm.name} differs: ${differs}`);
      }
      // A switch that was never set starts on; one that is off stays off (an evacuation may have turned it off).
      if (!alarm || alarm.state === 'INSUFFICIENT_DATA') alarms.push({ kind: 'switch-on', region, alarm: design.alarm });
    }
    if (!check) checks.push({ kind: 'create-health-check', region, alarm: design.alarm, callerReference: design.callerReference });
    for (const r of missing) {
      attaches.push({ kind: 'attach-health-check', region, record: r, ...(check ? { healthCheckId: check.id } : {}), ...(r.healthCheckId ? { replaces: r.healthCheckId } : {}) });
      if (r.healthCheckId) warnings.push({ code: 'SWITCH_REPLACES_HEALTH_CHECK', message: `${r.name} ${r.type} (${region}) has health check ${r.healthCheckId}; the switch's replaces it`, details: { region, name: r.name, healthCheckId: r.healthCheckId } });
    }
    if (records.length === 0) problems.push(`no weighted record has SetIdentifier ${region}: the switch steers nothing`);
    const position = alarm?.state === 'OK' ? 'on' : alarm?.state === 'ALARM' ? 'off' : 'unknown';
    statuses.push({
      region,
      alarm: design.alarm,
      ...(alarm ? { alarmState: alarm.state } : {}),
      position,
      ...(check ? { healthCheckId: check.id } : {}),
      records: records.length,
      recordsMissingHealthCheck: missing.map((r) => ({ zoneId: r.zoneId, name: r.name, type: r.type, setIdentifier: r.setIdentifier, ...(r.healthCheckId ? { healthCheckId: r.healthCheckId } : {}) })),
      prepared: alarmUnread === undefined && !!alarm && !alarmDiffers(alarm, region) && alarm.state !== 'INSUFFICIENT_DATA' && !!check && missing.length === 0 && records.length > 0 && design.alarm.region !== region,
      problems,
    });
  }
  return { controlRegions: distinct, regions: statuses, changes: [...alarms, ...checks, ...attaches], warnings, blockers };
}

/** Why an evacuation may not fall back to `region`'s switch, if it may not: the switch must be prepared. */
export function switchNotPrepared(status: RegionSwitchStatus | undefined, region: RegionCode): Problem | undefined {
  if (status?.prepared) return undefined;
  const why = !status ? 'no switch is designed for it' : status.problems.length ? status.problems.join('; ') : describeGaps(status);
  return {
    code: 'LB_ERR_SWITCH_NOT_PREPARED',
    message: `fallback "switch" needs the switch of ${region} prepared: ${why}`,
    details: { region },
    hint: 'Run prepare-switches first (POST /v1/switches/prepare, lifeboat switches prepare, or prepareSwitches() in the REPL), or evacuate without fallback.',
  };
}

function describeGaps(s: RegionSwitchStatus): string {
  const gaps = [
    s.alarmState === undefined ? `no alarm ${s.alarm.name} in ${s.alarm.region}` : s.alarmState === 'INSUFFICIENT_DATA' ? `alarm ${s.alarm.name} was never set` : '',
    s.healthCheckId === undefined ? 'no health check' : '',
    s.recordsMissingHealthCheck.length ? `${s.recordsMissingHealthCheck.length} record(s) without its health check` : '',
  ].filter(Boolean);
  return gaps.join('; ') || 'it is not complete';
}

/**
 * The fleet as Route 53 answers it while `region`'s switch is off: its records count as weight
 * 0 (unhealthy records are not answered while a healthy one remains), the other regions share
 * its traffic by their weights. What a restore plans from, so its first stage sets the
 * region's weights before the switch goes back on.
 */
export function asSwitchedOff(snapshot: FleetSnapshot, region: RegionCode): FleetSnapshot {
  const records = snapshot.records.map((r) => (r.region === region && r.setIdentifier === region ? { ...r, weight: 0 } : r));
  const traffic: TrafficShare[] = [];
  for (const name of [...new Set(snapshot.traffic.map((t) => t.name))]) {
    const entries = snapshot.traffic.filter((t) => t.name === name).map((t) => (t.region === region ? { ...t, weight: 0 } : t));
    const shares = sharesFromWeights(new Map(entries.map((t) => [t.region, t.weight])));
    traffic.push(...entries.map((t) => ({ ...t, share: shares.get(t.region) ?? 0 })));
  }
  return { ...snapshot, records, traffic };
}
