import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { ChangeResourceRecordSetsCommand, ListHostedZonesCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import type { BenchWorld } from '../bench-world';
import { round } from '../stats';

const CREDENTIALS = { accessKeyId: 'bench', secretAccessKey: 'bench' };

/**
 * The script teams write instead of lifeboat, as plainly as they write it: read the groups,
 * raise each survivor by the failing region's share, then set each of the failing region's
 * weights to 0, one call at a time, with the SDK's default retries. It does not wait for
 * capacity and verifies nothing: it is the floor a hand-written evacuation would reach.
 */
export async function runBaselineScript(world: BenchWorld): Promise<{ wallSeconds: number; groupsRaised: number; weightsSet: number; totalCalls: number; throttled: number }> {
  const [failing, ...survivors] = world.spec.regions;
  const client = <C>(make: new (config: object) => C, region: string) => new make({ region, endpoint: world.proxy.endpoint, credentials: CREDENTIALS });
  await world.proxy.resetCounters();
  const started = Date.now();

  let groupsRaised = 0;
  for (const region of survivors) {
    const autoscaling = client(AutoScalingClient, region!);
    const groups: AutoScalingGroup[] = [];
    let token: string | undefined;
    do {
      const page = await autoscaling.send(new DescribeAutoScalingGroupsCommand({ NextToken: token }));
      groups.push(...(page.AutoScalingGroups ?? []));
      token = page.NextToken;
    } while (token);
    for (const group of groups) {
      // Each survivor takes an equal part of the failing region's instances.
      const desired = Math.ceil((group.DesiredCapacity! * world.spec.regions.length) / survivors.length);
      await autoscaling.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: group.AutoScalingGroupName, DesiredCapacity: desired, MaxSize: Math.max(group.MaxSize!, desired) }));
      groupsRaised++;
    }
  }

  const route53 = client(Route53Client, 'us-east-1');
  let weightsSet = 0;
  for (const zone of (await route53.send(new ListHostedZonesCommand({}))).HostedZones ?? []) {
    const records: ResourceRecordSet[] = [];
    let next: { name?: string; type?: string; id?: string } = {};
    for (;;) {
      const page = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone.Id, StartRecordName: next.name, StartRecordType: next.type as never, StartRecordIdentifier: next.id }));
      records.push(...(page.ResourceRecordSets ?? []));
      if (!page.IsTruncated) break;
      next = { name: page.NextRecordName, type: page.NextRecordType, id: page.NextRecordIdentifier };
    }
    for (const record of records.filter((r) => r.SetIdentifier === failing && r.Weight !== undefined && r.Weight > 0)) {
      await route53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zone.Id, ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: { ...record, Weight: 0 } }] } }));
      weightsSet++;
    }
  }

  const wallSeconds = (Date.now() - started) / 1000;
  const counters = await world.proxy.counters();
  return {
    wallSeconds: round(wallSeconds, 2),
    groupsRaised,
    weightsSet,
    totalCalls: counters.reduce((a, c) => a + c.count, 0),
    throttled: counters.filter((c) => c.outcome === 'throttled').reduce((a, c) => a + c.count, 0),
  };
}
