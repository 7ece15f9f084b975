import { describe, expect, it } from 'vitest';
import { scalingProblemReason } from '../../src/cloud/aws/aws-auto-scaling';
import type { InstanceMember } from '../../src/sandbox/proxy/auto-scaling-xml';
import { CapacityFaults } from '../../src/sandbox/proxy/capacity-faults';
import { DnsChanges } from '../../src/sandbox/proxy/dns-propagation';
import { settleGroupUpdate } from '../../src/sandbox/proxy/group-updates';
import { KeyedQueue } from '../../src/sandbox/proxy/keyed-queue';
import { InstanceLedger } from '../../src/sandbox/proxy/launch-delays';
import { latencyMs } from '../../src/sandbox/proxy/latency';
import { ServerErrorFaults } from '../../src/sandbox/proxy/server-errors';
import { unreachableMode } from '../../src/sandbox/proxy/unreachable-regions';

const member = (instanceId: string, availabilityZone = 'us-west-2a'): InstanceMember => ({ instanceId, availabilityZone, instanceType: 't3.micro', lifecycleState: 'InService' });
const members = (...ids: string[]) => ids.map((id) => member(id));
const T0 = Date.parse('2026-11-24T10:00:00Z');

describe('proxy launch delays', () => {
  it('shows the instances a capacity increase added as Pending until launch + warm-up have passed; those that were there stay as they are', () => {
    const ledger = new InstanceLedger();
    const capacity = new CapacityFaults();
    const outcome = settleGroupUpdate(
      { region: 'us-west-2', group: 'api', before: members('i-1', 'i-2'), after: members('i-1', 'i-2', 'i-3', 'i-4'), now: T0, readyAfterMs: 90_000 },
      ledger,
      capacity,
    );
    expect(outcome).toMatchObject({ launching: ['i-3', 'i-4'], missing: [], failures: [] });
    const view = (id: string, at: number) => ledger.view(member(id), at);
    expect([view('i-1', T0), view('i-3', T0), view('i-4', T0 + 89_999), view('i-4', T0 + 90_000)]).toEqual([undefined, { lifecycleState: 'Pending' }, { lifecycleState: 'Pending' }, undefined]);
  });
});

describe('proxy capacity faults', () => {
  it('launches at most N new instances in a limited region, the rest go missing with one failed activity per zone that names InsufficientInstanceCapacity', () => {
    const ledger = new InstanceLedger();
    const capacity = new CapacityFaults();
    capacity.arm([{ region: 'us-west-2', maxNewInstances: 2 }]);
    const outcome = settleGroupUpdate(
      { region: 'us-west-2', group: 'api', before: members('i-1'), after: members('i-1', 'i-2', 'i-3', 'i-4', 'i-5'), now: T0, readyAfterMs: 0, desiredCapacity: 5 },
      ledger,
      capacity,
    );
    expect(outcome).toMatchObject({ launching: ['i-2', 'i-3'], missing: ['i-4', 'i-5'] });
    expect(ledger.view(member('i-4'), T0 + 1e9)).toEqual({ hidden: true });

    const [activity, ...others] = capacity.failedActivities('us-west-2', 'api', 100);
    expect(others).toEqual([]);
    expect(activity!.description).toMatch(/^Launching a new EC2 instance\. {2}Status Reason: We currently do not have sufficient t3\.micro capacity in the Availability Zone you requested \(us-west-2a\)\./);
    expect(activity!.statusMessage).toMatch(/\(Service: AmazonEC2; Status Code: 500; Error Code: InsufficientInstanceCapacity; Request ID: [0-9a-f-]{36}\)$/);
    expect(activity!.cause).toContain('changing the desired capacity from 1 to 5');
    expect(scalingProblemReason(activity!.statusMessage, 'Failed')).toBe('InsufficientInstanceCapacity');
    expect(capacity.failedActivities('us-west-2', undefined, 100)).toHaveLength(1);
    expect(capacity.failedActivities('eu-west-1', undefined, 100)).toEqual([]);
  });

  it('limits a zone without touching the others, and counts a zone and its region together', () => {
    const capacity = new CapacityFaults();
    capacity.arm([
      { region: 'us-west-2', availabilityZone: 'us-west-2a', maxNewInstances: 1 },
      { region: 'us-west-2', maxNewInstances: 3 },
    ]);
    const results = ['us-west-2a', 'us-west-2a', 'us-west-2b', 'us-west-2b', 'us-west-2b'].map((az) => capacity.tryDeliver('us-west-2', az));
    expect(results).toEqual([true, false, true, true, false]);
    expect(capacity.tryDeliver('eu-west-1', 'eu-west-1a')).toBe(true);
    capacity.arm([]);
    expect(capacity.tryDeliver('us-west-2', 'us-west-2a')).toBe(true);
  });

  it('cancels launches that never happened before it takes away running instances on a scale-in', () => {
    const ledger = new InstanceLedger();
    const capacity = new CapacityFaults();
    capacity.arm([{ region: 'us-west-2', maxNewInstances: 0 }]);
    settleGroupUpdate({ region: 'us-west-2', group: 'api', before: members('i-1', 'i-2'), after: members('i-1', 'i-2', 'i-3', 'i-4'), now: T0, readyAfterMs: 60_000 }, ledger, capacity);
    // moto terminates the oldest instances first; AWS would cancel the two launches that never happened.
    const outcome = settleGroupUpdate(
      { region: 'us-west-2', group: 'api', before: members('i-1', 'i-2', 'i-3', 'i-4'), after: members('i-3', 'i-4'), now: T0 + 1000, readyAfterMs: 60_000 },
      ledger,
      capacity,
    );
    expect(outcome.cancelled).toEqual(['i-3', 'i-4']);
    expect([ledger.view(member('i-3'), T0 + 1000), ledger.view(member('i-4'), T0 + 1000)]).toEqual([undefined, undefined]);
  });
});

describe('proxy DNS propagation', () => {
  it('keeps a change PENDING until the propagation time has passed', () => {
    const dns = new DnsChanges();
    const change = dns.submit(T0, 30_000, 'c');
    const instant = dns.submit(T0, 0);
    expect(dns.find(`/change/${change.id}`)).toBe(change);
    expect([DnsChanges.status(change, T0 + 29_999), DnsChanges.status(change, T0 + 30_000), DnsChanges.status(instant, T0)]).toEqual(['PENDING', 'INSYNC', 'INSYNC']);
    expect(instant.id).not.toBe(change.id);
    expect(dns.find('C2682N5HXP0BZ4')).toBeUndefined();
  });
});

describe('proxy 5xx bursts, unreachable regions, latency', () => {
  it('fails the next N matching calls, bursts in order, and then lets calls through', () => {
    const faults = new ServerErrorFaults(() => 1);
    faults.arm({ bursts: [{ count: 2, status: 503, service: 'autoscaling', region: 'us-west-2' }, { count: 1, status: 500 }], probability: 0, status: 503 });
    const asg = { service: 'autoscaling' as const, region: 'us-west-2', action: 'DescribeAutoScalingGroups' };
    const r53 = { service: 'route53' as const, region: 'us-east-1', action: 'GetChange' };
    expect([faults.take(r53), faults.take(asg), faults.take(asg), faults.take(asg), faults.take(r53)]).toEqual([500, 503, 503, undefined, undefined]);
    expect(faults.remainingBursts()).toEqual([0, 0]);
  });

  it('fails calls with the configured probability', () => {
    const rolls = [0.05, 0.5, 0.09];
    const faults = new ServerErrorFaults(() => rolls.shift()!);
    faults.arm({ bursts: [], probability: 0.1, status: 500 });
    const call = { service: 'ec2' as const, region: 'us-west-2', action: 'DescribeInstances' };
    expect([faults.take(call), faults.take(call), faults.take(call)]).toEqual([500, undefined, 500]);
  });

  it('drops a region’s Auto Scaling and EC2 calls but Route 53 only when named', () => {
    const entries = [{ region: 'us-east-1', mode: 'hang' as const }];
    expect(unreachableMode(entries, { service: 'autoscaling', region: 'us-east-1', action: 'DescribeAutoScalingGroups' })).toBe('hang');
    expect(unreachableMode(entries, { service: 'ec2', region: 'us-east-1', action: 'DescribeInstances' })).toBe('hang');
    expect(unreachableMode(entries, { service: 'route53', region: 'us-east-1', action: 'ListHostedZones' })).toBeUndefined();
    expect(unreachableMode([{ region: 'us-east-1', service: 'route53', mode: 'reset' }], { service: 'route53', region: 'us-east-1', action: 'ListHostedZones' })).toBe('reset');
    expect(unreachableMode(entries, { service: 'autoscaling', region: 'us-west-2', action: 'DescribeAutoScalingGroups' })).toBeUndefined();
  });

  it('drops only the actions named: Route 53\'s change API down while its reads answer', () => {
    const changesDown = [{ region: 'us-east-1', service: 'route53' as const, actions: ['ChangeResourceRecordSets'], mode: 'hang' as const }];
    expect(unreachableMode(changesDown, { service: 'route53', region: 'us-east-1', action: 'ChangeResourceRecordSets' })).toBe('hang');
    expect(unreachableMode(changesDown, { service: 'route53', region: 'us-east-1', action: 'ListResourceRecordSets' })).toBeUndefined();
    expect(unreachableMode(changesDown, { service: 'autoscaling', region: 'us-east-1', action: 'UpdateAutoScalingGroup' })).toBeUndefined();
  });

  it('adds fixed latency and uniform jitter, a service’s own setting first', () => {
    const latency = { fixedMs: 10, jitterMs: 20, services: { route53: { fixedMs: 100, jitterMs: 0 } } };
    expect([latencyMs(latency, 'ec2', () => 0), latencyMs(latency, 'ec2', () => 0.5), latencyMs(latency, 'route53', () => 0.9)]).toEqual([10, 20, 100]);
  });
});

describe('proxy group update queue', () => {
  it('judges updates of one group one at a time, and lets a listing wait until the region’s updates are judged', async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = queue.run('us-west-2/api', async () => {
      log.push('first starts');
      await gate;
      log.push('first ends');
    });
    const second = queue.run('us-west-2/api', async () => {
      log.push('second runs');
    });
    const other = queue.run('eu-west-1/api', async () => {
      log.push('other region runs');
    });
    const listing = queue.idle('us-west-2/').then(() => log.push('us-west-2 listing answered'));
    await other;
    expect(log).toEqual(['first starts', 'other region runs']);
    release();
    await Promise.all([first, second, listing]);
    expect(log).toEqual(['first starts', 'other region runs', 'first ends', 'second runs', 'us-west-2 listing answered']);
  });
});
