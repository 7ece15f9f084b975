import type { MetricDatum } from '@aws-sdk/client-cloudwatch';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DUMMY_CREDENTIALS } from './moto-fleet';

/**
 * Writes a metric history into CloudWatch (moto) with PutMetricData, as EC2 and Auto Scaling
 * would have: per group and hour, its average CPUUtilization (AWS/EC2) and its
 * GroupInServiceInstances (AWS/AutoScaling), or any other metric. One value per hour, at the
 * middle of the hour counted back from `now`, so a read made a few minutes later still finds
 * one value in each of its hourly periods.
 *
 * moto 5.2.1 answers 500 to a gzip-compressed PutMetricData (the SDK compresses bodies over
 * 10 KiB), so compression is turned off here.
 */

export interface HistoryPoint {
  /** Epoch seconds. */
  t: number;
  value: number;
}

export interface GroupHistory {
  region: string;
  group: string;
  /** CPUUtilization (%) per hour. */
  cpu: HistoryPoint[];
  /** GroupInServiceInstances per hour. */
  instances: HistoryPoint[];
}

/** The hour slot of the k-th value back from now: 23 is the hour just before now, 0..3 the hours ahead as they were a day earlier. */
export const slotOf = (k: number) => (((-(k + 1)) % 24) + 24) % 24;

/**
 * A group's history from a demand curve over slots: `hours` values back from `now` (epoch
 * seconds, to the minute), the k-th at now − (k + ½) h, carrying demand(slot) instance-% over
 * `instances` instances.
 */
export function cpuHistory(region: string, group: string, now: number, hours: number, demand: (slot: number) => number, instances: number): GroupHistory {
  const cpu: HistoryPoint[] = [];
  const counts: HistoryPoint[] = [];
  for (let k = 0; k < hours; k++) {
    const t = now - (k + 0.5) * 3600;
    cpu.push({ t, value: demand(slotOf(k)) / instances });
    counts.push({ t, value: instances });
  }
  return { region, group, cpu, instances: counts };
}

export async function writeHistories(endpoint: string, histories: readonly GroupHistory[]): Promise<void> {
  const regions = [...new Set(histories.map((h) => h.region))];
  await Promise.all(
    regions.map(async (region) => {
      const client = new CloudWatchClient({ region, endpoint, credentials: DUMMY_CREDENTIALS, disableRequestCompression: true });
      try {
        for (const h of histories.filter((x) => x.region === region)) {
          const dimensions = [{ Name: 'AutoScalingGroupName', Value: h.group }];
          await putAll(client, 'AWS/EC2', h.cpu.map((p) => ({ MetricName: 'CPUUtilization', Dimensions: dimensions, Timestamp: new Date(p.t * 1000), Value: p.value, Unit: 'Percent' })));
          await putAll(client, 'AWS/AutoScaling', h.instances.map((p) => ({ MetricName: 'GroupInServiceInstances', Dimensions: dimensions, Timestamp: new Date(p.t * 1000), Value: p.value, Unit: 'None' })));
        }
      } finally {
        client.destroy();
      }
    }),
  );
}

/** PutMetricData takes at most 1,000 values a call. */
async function putAll(client: CloudWatchClient, namespace: string, data: MetricDatum[]): Promise<void> {
  for (let i = 0; i < data.length; i += 1000) await client.send(new PutMetricDataCommand({ Namespace: namespace, MetricData: data.slice(i, i + 1000) }));
}
