import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { DescribeAlarmsCommand, PutMetricAlarmCommand, PutMetricDataCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import type { HealthCheck } from '@aws-sdk/client-route-53';
import { ChangeResourceRecordSetsCommand, CreateHealthCheckCommand, ListHealthChecksCommand } from '@aws-sdk/client-route-53';
import type { RegionCode } from '../../core/fleet';
import type { AlarmState, SwitchAlarmReading, SwitchDesign, SwitchHealthCheckReading, SwitchReading } from '../../core/switches';
import { SWITCH_ALARM_SHAPE, SWITCH_DIMENSION } from '../../core/switches';
import type { HealthCheckAttachment, TrafficChange } from '../ports';
import type { AwsClients } from './aws-clients';
import { ROUTE53_REGION } from './aws-clients';
import { awsCall } from './aws-errors';
import { planChangeBatches } from './route53-batches';

/**
 * Where lifeboat calls CloudWatch and Route 53 for the region switches (core/switches.ts):
 * alarms and their metric in the control regions, CLOUDWATCH_METRIC health checks, and the
 * health check on each weighted record. Every write is idempotent: PutMetricAlarm overwrites,
 * a health check is looked up by its deterministic CallerReference before one is created.
 */

const cw = (region: string, action: string) => ({ service: 'cloudwatch-alarms' as const, region, action });
const r53 = (action: string) => ({ service: 'route53' as const, region: ROUTE53_REGION, action });

/** ListHealthChecks' MaxItems cap. */
const LIST_HEALTH_CHECKS_MAX_ITEMS = 1000;
/** DescribeAlarms takes at most 100 names a request. */
const ALARM_NAMES_PER_REQUEST = 100;

function alarmReading(region: RegionCode, a: MetricAlarm): SwitchAlarmReading {
  return {
    region,
    name: a.AlarmName ?? '',
    state: (a.StateValue ?? 'INSUFFICIENT_DATA') as AlarmState,
    ...(a.Namespace !== undefined ? { namespace: a.Namespace } : {}),
    ...(a.MetricName !== undefined ? { metric: a.MetricName } : {}),
    ...(a.Dimensions ? { dimensions: a.Dimensions.map((d) => ({ name: d.Name ?? '', value: d.Value ?? '' })) } : {}),
    ...(a.Statistic !== undefined ? { statistic: a.Statistic } : {}),
    ...(a.Period !== undefined ? { periodSeconds: a.Period } : {}),
    ...(a.EvaluationPeriods !== undefined ? { evaluationPeriods: a.EvaluationPeriods } : {}),
    ...(a.Threshold !== undefined ? { threshold: a.Threshold } : {}),
    ...(a.ComparisonOperator !== undefined ? { comparison: a.ComparisonOperator } : {}),
    ...(a.TreatMissingData !== undefined ? { treatMissingData: a.TreatMissingData } : {}),
  };
}

function healthCheckReading(h: HealthCheck): SwitchHealthCheckReading {
  const config = h.HealthCheckConfig;
  const alarm = config?.AlarmIdentifier;
  return {
    id: h.Id ?? '',
    callerReference: h.CallerReference ?? '',
    type: config?.Type ?? '',
    // moto does not keep AlarmIdentifier (nor InsufficientDataHealthStatus): where absent, the CallerReference identifies the check.
    ...(alarm?.Region && alarm.Name ? { alarm: { region: alarm.Region, name: alarm.Name } } : {}),
    ...(config?.InsufficientDataHealthStatus ? { insufficientDataHealthStatus: config.InsufficientDataHealthStatus } : {}),
  };
}

/** The named alarms in one control region. */
export async function readAlarms(clients: AwsClients, region: RegionCode, names: readonly string[]): Promise<SwitchAlarmReading[]> {
  const out: SwitchAlarmReading[] = [];
  for (let i = 0; i < names.length; i += ALARM_NAMES_PER_REQUEST) {
    let token: string | undefined;
    do {
      const page = await awsCall(cw(region, 'DescribeAlarms'), () =>
        clients.alarms(region).send(new DescribeAlarmsCommand({ AlarmNames: names.slice(i, i + ALARM_NAMES_PER_REQUEST), AlarmTypes: ['MetricAlarm'], ...(token ? { NextToken: token } : {}) })),
      );
      for (const a of page.MetricAlarms ?? []) out.push(alarmReading(region, a));
      token = page.NextToken;
    } while (token);
  }
  return out;
}

/** Every CLOUDWATCH_METRIC health check of the account. */
export async function readSwitchHealthChecks(clients: AwsClients): Promise<SwitchHealthCheckReading[]> {
  const out: SwitchHealthCheckReading[] = [];
  let marker: string | undefined;
  do {
    const page = await awsCall(r53('ListHealthChecks'), () =>
      clients.route53.send(new ListHealthChecksCommand({ MaxItems: LIST_HEALTH_CHECKS_MAX_ITEMS, ...(marker ? { Marker: marker } : {}) })),
    );
    for (const h of page.HealthChecks ?? []) if (h.HealthCheckConfig?.Type === 'CLOUDWATCH_METRIC') out.push(healthCheckReading(h));
    marker = page.IsTruncated ? page.NextMarker : undefined;
  } while (marker);
  return out;
}

/** Every control region's alarms (one region that fails is listed as unreadable), and the health checks. */
export async function readSwitches(clients: AwsClients, designs: readonly SwitchDesign[]): Promise<Omit<SwitchReading, 'records'>> {
  const byRegion = new Map<RegionCode, string[]>();
  for (const d of designs) byRegion.set(d.alarm.region, [...(byRegion.get(d.alarm.region) ?? []), d.alarm.name]);
  const regions = [...byRegion.keys()];
  const [alarmReads, healthChecks] = await Promise.all([Promise.allSettled(regions.map((r) => readAlarms(clients, r, byRegion.get(r)!))), readSwitchHealthChecks(clients)]);
  const alarms: SwitchAlarmReading[] = [];
  const unreadable: NonNullable<SwitchReading['unreadable']> = [];
  alarmReads.forEach((read, i) => {
    if (read.status === 'fulfilled') alarms.push(...read.value);
    else unreadable.push({ region: regions[i]!, message: read.reason instanceof Error ? read.reason.message : String(read.reason) });
  });
  return { alarms, healthChecks, ...(unreadable.length ? { unreadable } : {}) };
}

export async function putSwitchAlarm(clients: AwsClients, design: SwitchDesign): Promise<void> {
  const s = SWITCH_ALARM_SHAPE;
  await awsCall(cw(design.alarm.region, 'PutMetricAlarm'), () =>
    clients.alarms(design.alarm.region).send(
      new PutMetricAlarmCommand({
        AlarmName: design.alarm.name,
        AlarmDescription: `lifeboat region switch of ${design.region}: ALARM takes ${design.region}'s weighted records out of Route 53's answers (health check ${design.callerReference})`,
        Namespace: s.namespace,
        MetricName: s.metric,
        Dimensions: [{ Name: SWITCH_DIMENSION, Value: design.region }],
        Statistic: s.statistic,
        Period: s.periodSeconds,
        EvaluationPeriods: s.evaluationPeriods,
        Threshold: s.threshold,
        ComparisonOperator: s.comparison,
        TreatMissingData: s.treatMissingData,
        ActionsEnabled: false,
      }),
    ),
  );
}

/**
 * The design's health check: one with its CallerReference if Route 53 has it (AWS refuses a
 * second creation with the same reference, moto makes a duplicate), else a new one.
 */
export async function ensureSwitchHealthCheck(clients: AwsClients, design: SwitchDesign): Promise<string> {
  const existing = (await readSwitchHealthChecks(clients)).find((h) => h.callerReference === design.callerReference);
  if (existing) return existing.id;
  const out = await awsCall(r53('CreateHealthCheck'), () =>
    clients.route53.send(
      new CreateHealthCheckCommand({
        CallerReference: design.callerReference,
        HealthCheckConfig: {
          Type: 'CLOUDWATCH_METRIC',
          AlarmIdentifier: { Region: design.alarm.region as never, Name: design.alarm.name },
          // While the alarm has no data, keep what Route 53 last knew: a switch does not flip on a gap.
          InsufficientDataHealthStatus: 'LastKnownStatus',
        },
      }),
    ),
  );
  return out.HealthCheck?.Id ?? '';
}

/** UPSERT each record as read with its health check, one zone's batch after another (Route 53's change API). */
export async function attachHealthChecks(clients: AwsClients, attachments: readonly HealthCheckAttachment[]): Promise<TrafficChange[]> {
  const batches = planChangeBatches(attachments.map((a) => ({ record: { ...a.record, healthCheckId: a.healthCheckId }, weight: a.record.weight })));
  const changes: TrafficChange[] = [];
  for (const batch of batches) {
    const out = await awsCall(r53('ChangeResourceRecordSets'), () =>
      clients.route53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: batch.zoneId, ChangeBatch: { Comment: 'lifeboat: attach region switch health checks', Changes: batch.changes } })),
    );
    changes.push({
      changeId: (out.ChangeInfo?.Id ?? '').replace(/^\/?change\//, ''),
      zoneId: batch.zoneId,
      records: batch.changes.length,
      status: out.ChangeInfo?.Status === 'INSYNC' ? 'INSYNC' : 'PENDING',
    });
  }
  return changes;
}

/** The metric first (what keeps the alarm there), then the state (what Route 53 sees at once), then a read back. */
export async function turnSwitch(clients: AwsClients, design: SwitchDesign, position: 'on' | 'off', reason: string): Promise<AlarmState | undefined> {
  const region = design.alarm.region;
  const client = clients.alarms(region);
  await awsCall(cw(region, 'PutMetricData'), () =>
    client.send(
      new PutMetricDataCommand({
        Namespace: SWITCH_ALARM_SHAPE.namespace,
        MetricData: [{ MetricName: SWITCH_ALARM_SHAPE.metric, Dimensions: [{ Name: SWITCH_DIMENSION, Value: design.region }], Value: position === 'on' ? 1 : 0, Unit: 'None' }],
      }),
    ),
  );
  await awsCall(cw(region, 'SetAlarmState'), () =>
    client.send(new SetAlarmStateCommand({ AlarmName: design.alarm.name, StateValue: position === 'on' ? 'OK' : 'ALARM', StateReason: reason.slice(0, 1023) })),
  );
  return (await readAlarms(clients, region, [design.alarm.name]))[0]?.state;
}
