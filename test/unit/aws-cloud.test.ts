import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import {
  AutoScalingClient,
  AutoScalingServiceException,
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  DescribeScheduledActionsCommand,
  DescribeWarmPoolCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeInstanceStatusCommand, DescribeInstanceTypeOfferingsCommand, DescribeLaunchTemplateVersionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  ListTagsForResourcesCommand,
  Route53Client,
  Route53ServiceException,
} from '@aws-sdk/client-route-53';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { scalingProblemReason } from '../../src/cloud/aws/aws-auto-scaling';
import { AwsCloud } from '../../src/cloud/aws/aws-cloud';
import { toLifeboatError } from '../../src/cloud/aws/aws-errors';
import type { MonotonicClock as Clock } from '../../src/cloud/aws/rate-limiter';
import type { WeightUpdate } from '../../src/cloud/ports';
import { LifeboatError } from '../../src/core/errors';
import type { WeightedRecord } from '../../src/core/fleet';
import { freePort } from '../../src/sandbox/free-port';

const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];
/** Route 53's documented limits for one ChangeResourceRecordSets request; an UPSERT counts twice against both. */
const MAX_RECORDS_PER_BATCH = 1000;
const MAX_VALUE_CHARS_PER_BATCH = 32_000;
const CREDENTIALS = { accessKeyId: 'AKIDUNITTEST', secretAccessKey: 'unit-test-secret' };

function group(name: string, overrides: Partial<AutoScalingGroup> = {}): AutoScalingGroup {
  return {
    AutoScalingGroupName: name,
    MinSize: 1,
    MaxSize: 9,
    DesiredCapacity: 3,
    DefaultCooldown: 300,
    AvailabilityZones: ['us-east-1a'],
    HealthCheckType: 'EC2',
    CreatedTime: new Date('2026-01-01T00:00:00Z'),
    Tags: [{ Key: 'lifeboat:service', Value: 'api', ResourceId: name, ResourceType: 'auto-scaling-group', PropagateAtLaunch: true }],
    Instances: [
      { InstanceId: `i-${name}-1`, AvailabilityZone: 'us-east-1a', LifecycleState: 'InService', HealthStatus: 'Healthy', ProtectedFromScaleIn: false },
      { InstanceId: `i-${name}-2`, AvailabilityZone: 'us-east-1a', LifecycleState: 'Pending', HealthStatus: 'Healthy', ProtectedFromScaleIn: false },
    ],
    ...overrides,
  };
}

function weighted(overrides: Partial<WeightedRecord> = {}): WeightedRecord {
  return {
    zoneId: 'ZONEA',
    zoneName: 'example.com',
    name: 'api.example.com',
    type: 'A',
    region: 'us-east-1',
    setIdentifier: 'us-east-1',
    weight: 100,
    ttl: 60,
    resourceRecords: ['192.0.2.10'],
    ...overrides,
  };
}

function autoScalingError(name: string, message: string, httpStatusCode: number): AutoScalingServiceException {
  return new AutoScalingServiceException({
    name,
    message,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode, attempts: 8, requestId: 'req-1' },
  });
}

async function regionOf(getClient: () => { config: { region: unknown } }): Promise<string> {
  const region = getClient().config.region;
  return typeof region === 'function' ? ((await (region as () => Promise<string>)()) as string) : String(region);
}

async function rejection(promise: Promise<unknown>): Promise<LifeboatError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(LifeboatError);
    return e as LifeboatError;
  }
  throw new Error('expected a rejection');
}

describe('AwsCloud requests (mocked SDK clients)', () => {
  // Mocked from this block's beforeAll to its afterAll, not from when the file is collected: the
  // block after this one runs the real SDK, before or after this one (the tests run shuffled).
  let autoScaling: AwsClientStub<AutoScalingClient>;
  let route53: AwsClientStub<Route53Client>;
  // The load read with the fleet (aws-load-metrics.test.ts tests it): no metrics here.
  let cloudWatch: AwsClientStub<CloudWatchClient>;
  let ec2: AwsClientStub<EC2Client>;
  let cloud: AwsCloud;

  beforeAll(() => {
    autoScaling = mockClient(AutoScalingClient);
    route53 = mockClient(Route53Client);
    cloudWatch = mockClient(CloudWatchClient);
    ec2 = mockClient(EC2Client);
  });
  beforeEach(() => {
    autoScaling.reset();
    route53.reset();
    cloudWatch.reset();
    cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    ec2.reset();
    // The details read with every group: none, unless a test says otherwise.
    autoScaling.on(DescribeScheduledActionsCommand).resolves({ ScheduledUpdateGroupActions: [] });
    ec2.on(DescribeInstanceStatusCommand).resolves({ InstanceStatuses: [] });
    ec2.on(DescribeInstanceTypeOfferingsCommand).resolves({ InstanceTypeOfferings: [] });
    ec2.on(DescribeLaunchTemplateVersionsCommand).resolves({ LaunchTemplateVersions: [] });
    cloud = new AwsCloud({ regions: REGIONS, credentials: CREDENTIALS, pageSize: { autoScaling: 2, route53: 3 } });
  });
  afterEach(() => cloud.destroy());
  afterAll(() => {
    autoScaling.restore();
    route53.restore();
    cloudWatch.restore();
    ec2.restore();
  });

  function emptyRoute53(): void {
    route53.on(ListHostedZonesCommand).resolves({ HostedZones: [], IsTruncated: false, Marker: '', MaxItems: 100 });
  }

  describe('setGroupSize', () => {
    it('sends UpdateAutoScalingGroup with absolute MinSize, MaxSize and DesiredCapacity to the group’s region', async () => {
      const regions: string[] = [];
      autoScaling.on(UpdateAutoScalingGroupCommand).callsFake(async (_input, getClient) => {
        regions.push(await regionOf(getClient));
        return {};
      });
      await cloud.setGroupSize({ region: 'us-west-2', group: 'api-us-west-2', minSize: 2, desiredCapacity: 11, maxSize: 20 });
      const calls = autoScaling.commandCalls(UpdateAutoScalingGroupCommand);
      expect(calls.map((c) => c.args[0].input)).toEqual([{ AutoScalingGroupName: 'api-us-west-2', MinSize: 2, MaxSize: 20, DesiredCapacity: 11 }]);
      expect(regions).toEqual(['us-west-2']);
    });

    it('refuses desired capacity above MaxSize with LB_ERR_DESIRED_ABOVE_MAX before calling AWS', async () => {
      const err = await rejection(cloud.setGroupSize({ region: 'us-east-1', group: 'api-us-east-1', minSize: 1, desiredCapacity: 10, maxSize: 9 }));
      expect(err.code).toBe('LB_ERR_DESIRED_ABOVE_MAX');
      expect(err.status).toBe(409);
      expect(autoScaling.calls()).toHaveLength(0);
    });

    it('refuses MinSize above desired capacity before calling AWS', async () => {
      const err = await rejection(cloud.setGroupSize({ region: 'us-east-1', group: 'api-us-east-1', minSize: 4, desiredCapacity: 3, maxSize: 9 }));
      expect(err.code).toBe('LB_ERR_DESIRED_ABOVE_MAX');
      expect(autoScaling.calls()).toHaveLength(0);
    });

    it('refuses a region lifeboat does not manage', async () => {
      const err = await rejection(cloud.setGroupSize({ region: 'ap-south-1', group: 'x', minSize: 1, desiredCapacity: 1, maxSize: 1 }));
      expect(err.code).toBe('LB_ERR_UNKNOWN_REGION');
      expect(autoScaling.calls()).toHaveLength(0);
    });
  });


  describe('recordPins and erasePins', () => {
    const pin = (k: number) => ({ operationId: 'op_1', from: { minSize: k, desiredCapacity: k + 1, maxSize: k + 2 }, weightsBefore: { 'us-east-1': 100, 'us-west-2': 100 } });
    const groups = (region: string, n: number) => Array.from({ length: n }, (_, k) => ({ region, group: `g${k}`, pin: pin(k) }));

    it('writes the pins of a region’s groups 8 a CreateOrUpdateTags (25 tags at most), each group’s record whole in one request', async () => {
      const sent: Array<{ region: string; tags: Array<{ ResourceId?: string; Key?: string; Value?: string }> }> = [];
      autoScaling.on(CreateOrUpdateTagsCommand).callsFake(async (input: { Tags: Array<{ ResourceId?: string; Key?: string; Value?: string }> }, getClient) => {
        sent.push({ region: await regionOf(getClient), tags: input.Tags });
        return {};
      });
      await cloud.recordPins([...groups('us-west-2', 20), ...groups('eu-west-1', 3)]);
      // 20 groups: 8 + 8 + 4; 3 groups: one request.
      expect(sent.filter((s) => s.region === 'us-west-2').map((s) => s.tags.length).sort((a, b) => a - b)).toEqual([12, 24, 24]);
      expect(sent.filter((s) => s.region === 'eu-west-1').map((s) => s.tags.length)).toEqual([9]);
      for (const s of sent) {
        expect(s.tags.length).toBeLessThanOrEqual(25);
        const byGroup = new Map<string, string[]>();
        for (const t of s.tags) byGroup.set(t.ResourceId!, [...(byGroup.get(t.ResourceId!) ?? []), t.Key!]);
        for (const keys of byGroup.values()) expect(keys.sort()).toEqual(['lifeboat:pinned-by', 'lifeboat:pinned-from', 'lifeboat:weights-before']);
      }
      const g7 = sent.flatMap((s) => (s.region === 'us-west-2' ? s.tags : [])).filter((t) => t.ResourceId === 'g7');
      expect(g7.find((t) => t.Key === 'lifeboat:pinned-from')!.Value).toBe('min=7,desired=8,max=9');
      expect(autoScaling.commandCalls(UpdateAutoScalingGroupCommand)).toHaveLength(0);
    });

    it('removes the pin records of a region’s groups 8 a DeleteTags', async () => {
      const sent: Array<Array<{ ResourceId?: string; Key?: string }>> = [];
      autoScaling.on(DeleteTagsCommand).callsFake((input: { Tags: Array<{ ResourceId?: string; Key?: string }> }) => {
        sent.push(input.Tags);
        return {};
      });
      await cloud.erasePins(groups('us-west-2', 17).map(({ region, group }) => ({ region, group })));
      expect(sent.map((t) => t.length).sort((a, b) => a - b)).toEqual([3, 24, 24]);
      expect(new Set(sent.flat().map((t) => t.ResourceId)).size).toBe(17);
    });
  });
  describe('readFleet', () => {
    it('asks every region only for groups tagged lifeboat:service and follows NextToken to the last page', async () => {
      // Five groups per region served two a page: pages end after groups 2 and 4.
      const names = (region: string) => [1, 2, 3, 4, 5].map((k) => `svc-${region}-${k}`);
      autoScaling.on(DescribeAutoScalingGroupsCommand).callsFake(async (input: { NextToken?: string; MaxRecords?: number }, getClient) => {
        const all = names(await regionOf(getClient));
        const start = input.NextToken ? all.indexOf(input.NextToken) + 1 : 0;
        const page = all.slice(start, start + (input.MaxRecords ?? 100));
        const more = start + page.length < all.length;
        return { AutoScalingGroups: page.map((n) => group(n)), ...(more ? { NextToken: page[page.length - 1] } : {}) };
      });
      emptyRoute53();

      const reading = await cloud.readFleet();

      const calls = autoScaling.commandCalls(DescribeAutoScalingGroupsCommand);
      expect(calls).toHaveLength(REGIONS.length * 3);
      for (const c of calls) {
        expect(c.args[0].input.Filters).toEqual([{ Name: 'tag-key', Values: ['lifeboat:service'] }]);
        expect(c.args[0].input.MaxRecords).toBe(2);
      }
      expect(reading.groups.map((g) => `${g.region}/${g.name}`)).toEqual(REGIONS.flatMap((r) => names(r).map((n) => `${r}/${n}`)));
      expect(reading.regions).toEqual(REGIONS);
      expect(reading.warnings).toBeUndefined();
      const first = reading.groups[0]!;
      expect(first).toEqual({
        region: 'us-east-1',
        name: 'svc-us-east-1-1',
        minSize: 1,
        maxSize: 9,
        desiredCapacity: 3,
        availabilityZones: ['us-east-1a'],
        tags: { 'lifeboat:service': 'api' },
        instances: [
          { instanceId: 'i-svc-us-east-1-1-1', availabilityZone: 'us-east-1a', lifecycleState: 'InService', healthStatus: 'Healthy' },
          { instanceId: 'i-svc-us-east-1-1-2', availabilityZone: 'us-east-1a', lifecycleState: 'Pending', healthStatus: 'Healthy' },
        ],
      });
      expect(Number.isNaN(Date.parse(reading.takenAt))).toBe(false);
    });

    it('reads what can undo an evacuation with each group: suspended processes, scheduled actions, instance types and their zones, impaired instances', async () => {
      autoScaling.on(DescribeAutoScalingGroupsCommand).callsFake(async (_input, getClient) => {
        const region = await regionOf(getClient);
        if (region !== 'us-east-1') return { AutoScalingGroups: [] };
        return {
          AutoScalingGroups: [
            group('api-us-east-1', {
              AvailabilityZones: ['us-east-1a', 'us-east-1b'],
              SuspendedProcesses: [{ ProcessName: 'ScheduledActions', SuspensionReason: '' }, { ProcessName: 'Launch', SuspensionReason: '' }],
              LaunchTemplate: { LaunchTemplateName: 'api', Version: '$Latest' },
              WarmPoolConfiguration: { MinSize: 2, PoolState: 'Stopped' },
              WarmPoolSize: 2,
            }),
          ],
        };
      });
      autoScaling.on(DescribeScheduledActionsCommand).resolves({
        ScheduledUpdateGroupActions: [{ AutoScalingGroupName: 'api-us-east-1', ScheduledActionName: 'night', Recurrence: '0 2 * * *', MinSize: 1, DesiredCapacity: 1 }],
      });
      ec2.on(DescribeLaunchTemplateVersionsCommand).resolves({ LaunchTemplateVersions: [{ LaunchTemplateData: { InstanceType: 'c7g.large' } }] });
      ec2.on(DescribeInstanceTypeOfferingsCommand).resolves({ InstanceTypeOfferings: [{ InstanceType: 'c7g.large', LocationType: 'availability-zone', Location: 'us-east-1b' }] });
      ec2.on(DescribeInstanceStatusCommand).resolves({
        InstanceStatuses: [{ InstanceId: 'i-api-us-east-1-1', InstanceStatus: { Status: 'impaired' }, SystemStatus: { Status: 'ok' } }],
      });
      emptyRoute53();

      const [g] = (await cloud.readFleet()).groups;

      expect(g).toMatchObject({
        suspendedProcesses: ['Launch', 'ScheduledActions'],
        scheduledActions: [{ name: 'night', recurrence: '0 2 * * *', minSize: 1, desiredCapacity: 1 }],
        instanceTypes: [{ type: 'c7g.large', offeredIn: ['us-east-1b'] }],
        warmPool: { size: 2, minSize: 2, poolState: 'Stopped' },
      });
      expect(g!.instances.find((i) => i.instanceId === 'i-api-us-east-1-1')!.impaired).toBe(true);
      // Only the InService instance is asked about, by id.
      expect(ec2.commandCalls(DescribeInstanceStatusCommand).map((c) => c.args[0].input.InstanceIds)).toEqual([['i-api-us-east-1-1']]);
      expect(ec2.commandCalls(DescribeLaunchTemplateVersionsCommand)[0]!.args[0].input).toEqual({ LaunchTemplateName: 'api', Versions: ['$Latest'] });
    });

    it('counts the warm instances ready in a pool with DescribeWarmPool only when DescribeAutoScalingGroups does not state its size', async () => {
      autoScaling.on(DescribeAutoScalingGroupsCommand).callsFake(async (_input, getClient) => {
        const region = await regionOf(getClient);
        if (region !== 'us-east-1') return { AutoScalingGroups: [] };
        return {
          AutoScalingGroups: [
            group('stated', { WarmPoolConfiguration: { MinSize: 4, PoolState: 'Stopped' }, WarmPoolSize: 4 }),
            group('unstated', { WarmPoolConfiguration: { MinSize: 3, MaxGroupPreparedCapacity: 9, PoolState: 'Stopped' } }),
            group('no-pool'),
          ],
        };
      });
      autoScaling.on(DescribeWarmPoolCommand).resolves({
        Instances: [
          { InstanceId: 'i-1', LifecycleState: 'Warmed:Stopped', AvailabilityZone: 'us-east-1a', HealthStatus: 'Healthy', InstanceType: 't3.micro', ProtectedFromScaleIn: false },
          { InstanceId: 'i-2', LifecycleState: 'Warmed:Running', AvailabilityZone: 'us-east-1a', HealthStatus: 'Healthy', InstanceType: 't3.micro', ProtectedFromScaleIn: false },
          { InstanceId: 'i-3', LifecycleState: 'Warmed:Pending', AvailabilityZone: 'us-east-1a', HealthStatus: 'Healthy', InstanceType: 't3.micro', ProtectedFromScaleIn: false },
        ],
      });
      emptyRoute53();

      const groups = new Map((await cloud.readFleet()).groups.map((g) => [g.name, g]));

      expect(groups.get('stated')!.warmPool).toEqual({ size: 4, minSize: 4, poolState: 'Stopped' });
      // Two of the three are ready to enter service; the one still Warmed:Pending is not.
      expect(groups.get('unstated')!.warmPool).toEqual({ size: 2, minSize: 3, maxGroupPreparedCapacity: 9, poolState: 'Stopped' });
      expect(groups.get('no-pool')!.warmPool).toBeUndefined();
      expect(autoScaling.commandCalls(DescribeWarmPoolCommand).map((c) => c.args[0].input.AutoScalingGroupName)).toEqual(['unstated']);
    });

    it('turns a region that fails into a REGION_UNREADABLE warning and still returns the other regions', async () => {
      autoScaling.on(DescribeAutoScalingGroupsCommand).callsFake(async (_input, getClient) => {
        const region = await regionOf(getClient);
        if (region === 'us-west-2') throw autoScalingError('InternalFailure', 'We encountered an internal error.', 500);
        return { AutoScalingGroups: [group(`api-${region}`)] };
      });
      emptyRoute53();

      const reading = await cloud.readFleet();

      expect(reading.groups.map((g) => g.name)).toEqual(['api-us-east-1', 'api-eu-west-1']);
      expect(reading.warnings).toHaveLength(1);
      const warning = reading.warnings![0]!;
      expect(warning.code).toBe('REGION_UNREADABLE');
      expect(warning.region).toBe('us-west-2');
      expect(warning.message).toContain('We encountered an internal error.');
    });

    it('keeps only hosted zones tagged lifeboat:managed=true, asking for tags ten zones at a time by bare id', async () => {
      // 23 zones over two ListHostedZones pages; every third zone is managed.
      const zoneIds = Array.from({ length: 23 }, (_, i) => `Z${String(i).padStart(3, '0')}`);
      const managed = new Set(zoneIds.filter((_, i) => i % 3 === 0));
      route53.on(ListHostedZonesCommand).callsFake((input: { Marker?: string }) => {
        const start = input.Marker ? zoneIds.indexOf(input.Marker) : 0;
        const page = zoneIds.slice(start, start + 15);
        const next = zoneIds[start + 15];
        return {
          HostedZones: page.map((id) => ({ Id: `/hostedzone/${id}`, Name: `${id.toLowerCase()}.example.`, CallerReference: id })),
          IsTruncated: next !== undefined,
          Marker: input.Marker ?? '',
          MaxItems: 15,
          ...(next ? { NextMarker: next } : {}),
        };
      });
      route53.on(ListTagsForResourcesCommand).callsFake((input: { ResourceIds: string[] }) => ({
        ResourceTagSets: input.ResourceIds.map((id) => ({
          ResourceType: 'hostedzone',
          ResourceId: id,
          Tags: managed.has(id) ? [{ Key: 'lifeboat:managed', Value: 'true' }] : [{ Key: 'lifeboat:managed', Value: 'false' }],
        })),
      }));
      route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 3 });
      autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });

      const reading = await cloud.readFleet();

      const tagRequests = route53.commandCalls(ListTagsForResourcesCommand).map((c) => c.args[0].input);
      expect(tagRequests.map((r) => r.ResourceIds)).toEqual([zoneIds.slice(0, 10), zoneIds.slice(10, 20), zoneIds.slice(20)]);
      expect(tagRequests.every((r) => r.ResourceType === 'hostedzone')).toBe(true);
      expect(reading.zones.map((z) => z.zoneId)).toEqual([...managed]);
      expect(reading.zones[0]!.zoneName).toBe('z000.example');
      const listed = route53.commandCalls(ListResourceRecordSetsCommand).map((c) => c.args[0].input.HostedZoneId);
      expect(listed.sort()).toEqual([...managed].sort());
    });

    it('keeps every record set of a managed zone, following NextRecordName, NextRecordType and NextRecordIdentifier', async () => {
      const sets: ResourceRecordSet[] = [
        { Name: 'example.com.', Type: 'NS', TTL: 172800, ResourceRecords: [{ Value: 'ns-1.awsdns-01.org.' }] },
        { Name: 'api.example.com.', Type: 'A', SetIdentifier: 'us-east-1', Weight: 100, TTL: 60, ResourceRecords: [{ Value: '192.0.2.10' }, { Value: '192.0.2.11' }] },
        { Name: 'api.example.com.', Type: 'A', SetIdentifier: 'us-west-2', Weight: 50, TTL: 60, ResourceRecords: [{ Value: '192.0.2.12' }], HealthCheckId: 'hc-1' },
        {
          Name: 'api.example.com.',
          Type: 'A',
          SetIdentifier: 'eu-west-1',
          Weight: 25,
          AliasTarget: { HostedZoneId: 'Z2ELB', DNSName: 'lb-eu.elb.amazonaws.com.', EvaluateTargetHealth: true },
        },
        { Name: 'www.example.com.', Type: 'CNAME', TTL: 300, ResourceRecords: [{ Value: 'api.example.com' }] },
      ];
      const key = (s: ResourceRecordSet) => `${s.Name}|${s.Type}|${s.SetIdentifier ?? ''}`;
      route53.on(ListHostedZonesCommand).resolves({
        HostedZones: [{ Id: '/hostedzone/ZONEA', Name: 'example.com.', CallerReference: 'a' }],
        IsTruncated: false,
        Marker: '',
        MaxItems: 100,
      });
      route53.on(ListTagsForResourcesCommand).resolves({ ResourceTagSets: [{ ResourceType: 'hostedzone', ResourceId: 'ZONEA', Tags: [{ Key: 'lifeboat:managed', Value: 'true' }] }] });
      route53.on(ListResourceRecordSetsCommand).callsFake(
        (input: { StartRecordName?: string; StartRecordType?: string; StartRecordIdentifier?: string; MaxItems?: number }) => {
          const start = input.StartRecordName
            ? sets.findIndex((s) => key(s) === `${input.StartRecordName}|${input.StartRecordType}|${input.StartRecordIdentifier ?? ''}`)
            : 0;
          const max = input.MaxItems ?? 300;
          const next = sets[start + max];
          return {
            ResourceRecordSets: sets.slice(start, start + max),
            IsTruncated: next !== undefined,
            MaxItems: max,
            ...(next ? { NextRecordName: next.Name, NextRecordType: next.Type, ...(next.SetIdentifier ? { NextRecordIdentifier: next.SetIdentifier } : {}) } : {}),
          };
        },
      );
      autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });

      const reading = await cloud.readFleet();

      const requests = route53.commandCalls(ListResourceRecordSetsCommand).map((c) => c.args[0].input);
      expect(requests).toEqual([
        { HostedZoneId: 'ZONEA', MaxItems: 3 },
        { HostedZoneId: 'ZONEA', MaxItems: 3, StartRecordName: 'api.example.com.', StartRecordType: 'A', StartRecordIdentifier: 'eu-west-1' },
      ]);
      expect(reading.zones).toEqual([
        {
          zoneId: 'ZONEA',
          zoneName: 'example.com',
          records: [
            { zoneId: 'ZONEA', zoneName: 'example.com', name: 'example.com.', type: 'NS', ttl: 172800, resourceRecords: ['ns-1.awsdns-01.org.'] },
            {
              zoneId: 'ZONEA',
              zoneName: 'example.com',
              name: 'api.example.com.',
              type: 'A',
              setIdentifier: 'us-east-1',
              weight: 100,
              ttl: 60,
              resourceRecords: ['192.0.2.10', '192.0.2.11'],
            },
            {
              zoneId: 'ZONEA',
              zoneName: 'example.com',
              name: 'api.example.com.',
              type: 'A',
              setIdentifier: 'us-west-2',
              weight: 50,
              ttl: 60,
              resourceRecords: ['192.0.2.12'],
              healthCheckId: 'hc-1',
            },
            {
              zoneId: 'ZONEA',
              zoneName: 'example.com',
              name: 'api.example.com.',
              type: 'A',
              setIdentifier: 'eu-west-1',
              weight: 25,
              aliasTarget: { hostedZoneId: 'Z2ELB', dnsName: 'lb-eu.elb.amazonaws.com.', evaluateTargetHealth: true },
            },
            { zoneId: 'ZONEA', zoneName: 'example.com', name: 'www.example.com.', type: 'CNAME', ttl: 300, resourceRecords: ['api.example.com'] },
          ],
        },
      ]);
    });

    it('throws the mapped error when Route 53 cannot be read', async () => {
      autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
      route53.on(ListHostedZonesCommand).rejects(
        new Route53ServiceException({ name: 'AccessDenied', message: 'User is not authorized to perform route53:ListHostedZones', $fault: 'client', $metadata: { httpStatusCode: 403 } }),
      );
      const err = await rejection(cloud.readFleet());
      expect(err.code).toBe('LB_ERR_AWS_REJECTED');
      expect(err.details).toMatchObject({ service: 'route53', action: 'ListHostedZones', awsCode: 'AccessDenied' });
    });
  });

  describe('readGroups', () => {
    it('asks for at most 50 names a request, follows NextToken, and returns the groups found in the order asked', async () => {
      const asked = Array.from({ length: 120 }, (_, i) => `g-${String(i).padStart(3, '0')}`);
      const missing = new Set(['g-007', 'g-099']);
      // Recorded as asked: the SDK's paginator reuses one input object for every page it asks.
      const nameLists: string[][] = [];
      autoScaling.on(DescribeAutoScalingGroupsCommand).callsFake((input: { AutoScalingGroupNames: string[]; NextToken?: string; MaxRecords: number }) => {
        if (!input.NextToken) nameLists.push([...input.AutoScalingGroupNames]);
        const found = input.AutoScalingGroupNames.filter((n) => !missing.has(n)).reverse();
        const start = input.NextToken ? found.indexOf(input.NextToken) + 1 : 0;
        const page = found.slice(start, start + input.MaxRecords);
        const more = start + page.length < found.length;
        return { AutoScalingGroups: page.map((n) => group(n)), ...(more ? { NextToken: page[page.length - 1] } : {}) };
      });

      const groups = await cloud.readGroups('eu-west-1', asked);

      expect(nameLists).toEqual([asked.slice(0, 50), asked.slice(50, 100), asked.slice(100)]);
      expect(groups.map((g) => g.name)).toEqual(asked.filter((n) => !missing.has(n)));
      expect(groups.every((g) => g.region === 'eu-west-1')).toBe(true);
    });
  });

  describe('readScalingProblems', () => {
    it('returns failed and cancelled activities since the given time, newest first, and stops paging at older ones', async () => {
      const activity = (id: string, start: string, StatusCode: string, StatusMessage?: string) => ({
        ActivityId: id,
        AutoScalingGroupName: 'api-us-east-1',
        Cause: 'scale out',
        StartTime: new Date(start),
        StatusCode,
        Progress: 100,
        ...(StatusMessage ? { StatusMessage } : {}),
      });
      const pages = [
        [
          activity('a1', '2026-11-24T12:05:00Z', 'Failed', 'We currently do not have sufficient t3.micro capacity (InsufficientInstanceCapacity). Launching EC2 instance failed.'),
          activity('a2', '2026-11-24T12:04:00Z', 'Successful'),
        ],
        [activity('a3', '2026-11-24T12:03:00Z', 'Cancelled'), activity('a4', '2026-11-24T11:00:00Z', 'Failed', 'old failure')],
        [activity('a5', '2026-11-24T10:00:00Z', 'Failed', 'older still')],
      ];
      autoScaling.on(DescribeScalingActivitiesCommand).callsFake((input: { NextToken?: string }) => {
        const i = input.NextToken ? Number(input.NextToken) : 0;
        return { Activities: pages[i], ...(i + 1 < pages.length ? { NextToken: String(i + 1) } : {}) };
      });

      const problems = await cloud.readScalingProblems('us-east-1', ['api-us-east-1'], '2026-11-24T12:00:00Z');

      expect(problems.map((p) => [p.reason, p.at])).toEqual([
        ['InsufficientInstanceCapacity', '2026-11-24T12:05:00.000Z'],
        ['Cancelled', '2026-11-24T12:03:00.000Z'],
      ]);
      expect(autoScaling.commandCalls(DescribeScalingActivitiesCommand)).toHaveLength(2);
      expect(autoScaling.commandCalls(DescribeScalingActivitiesCommand)[0]!.args[0].input).toMatchObject({ AutoScalingGroupName: 'api-us-east-1' });
    });

    it('names the AWS error code a scaling message carries, or falls back to the status code', () => {
      expect(scalingProblemReason('Launching a new EC2 instance. Status Reason: InsufficientInstanceCapacity: no t3.micro', 'Failed')).toBe(
        'InsufficientInstanceCapacity',
      );
      expect(scalingProblemReason('Launching a new EC2 instance. Status Reason: VcpuLimitExceeded', 'Failed')).toBe('VcpuLimitExceeded');
      expect(scalingProblemReason('The image id does not exist: InvalidAMIID.NotFound', 'Failed')).toBe('InvalidAMIID.NotFound');
      expect(scalingProblemReason('Instance launch was cancelled by a new request.', 'Cancelled')).toBe('Cancelled');
      expect(scalingProblemReason(undefined, 'Failed')).toBe('Failed');
    });
  });

  describe('setWeights', () => {
    const singleValue = (i: number, zoneId = 'ZONEA') =>
      weighted({ zoneId, name: `svc${i}.example.com`, resourceRecords: [`192.0.2.${i % 250}`], weight: 100 });

    function acceptChanges(): void {
      let n = 0;
      route53.on(ChangeResourceRecordSetsCommand).callsFake(() => ({
        ChangeInfo: { Id: `/change/C${++n}`, Status: 'PENDING', SubmittedAt: new Date('2026-11-24T12:00:00Z') },
      }));
    }

    it('sends 600 single-value upserts in one zone as one request of 500 and one of 100', async () => {
      acceptChanges();
      const updates = Array.from({ length: 600 }, (_, i) => ({ record: singleValue(i), weight: 0 }));
      // Each single-value UPSERT counts 2 ResourceRecord elements against the limit.
      const perBatch = MAX_RECORDS_PER_BATCH / 2;

      const changes = await cloud.setWeights(updates);

      const sizes = route53.commandCalls(ChangeResourceRecordSetsCommand).map((c) => c.args[0].input.ChangeBatch?.Changes?.length);
      expect(sizes).toEqual([perBatch, updates.length - perBatch]);
      expect(changes.map((c) => [c.changeId, c.zoneId, c.records, c.status])).toEqual([
        ['C1', 'ZONEA', perBatch, 'PENDING'],
        ['C2', 'ZONEA', updates.length - perBatch, 'PENDING'],
      ]);
      expect(changes[0]!.submittedAt).toBe('2026-11-24T12:00:00.000Z');
    });

    it('sends each hosted zone its own request', async () => {
      acceptChanges();
      const updates = [singleValue(1, 'ZONEA'), singleValue(2, 'ZONEB'), singleValue(3, 'ZONEA')].map((record) => ({ record, weight: 10 }));

      const changes = await cloud.setWeights(updates);

      const byZone = route53.commandCalls(ChangeResourceRecordSetsCommand).map((c) => [c.args[0].input.HostedZoneId, c.args[0].input.ChangeBatch?.Changes?.length]);
      expect(byZone.sort()).toEqual([
        ['ZONEA', 2],
        ['ZONEB', 1],
      ]);
      expect(changes.map((c) => c.zoneId)).toEqual(['ZONEA', 'ZONEB']);
    });

    it('keeps each batch within 32,000 characters of Value text, an UPSERT counting twice', async () => {
      acceptChanges();
      const value = `"${'x'.repeat(3998)}"`;
      const updates = Array.from({ length: 10 }, (_, i) =>
        ({ record: weighted({ name: `txt${i}.example.com`, type: 'TXT', resourceRecords: [value] }), weight: 1 }),
      );
      const perBatch = Math.floor(MAX_VALUE_CHARS_PER_BATCH / (2 * value.length));

      await cloud.setWeights(updates);

      const sizes = route53.commandCalls(ChangeResourceRecordSetsCommand).map((c) => c.args[0].input.ChangeBatch?.Changes?.length);
      expect(sizes).toEqual([perBatch, perBatch, updates.length - 2 * perBatch]);
    });

    it('upserts the full record set: name, type, set identifier, new weight, and TTL with values or the alias target, and the health check', async () => {
      acceptChanges();
      await cloud.setWeights([
        { record: weighted({ resourceRecords: ['192.0.2.10', '192.0.2.11'], ttl: 30, healthCheckId: 'hc-east' }), weight: 0 },
        {
          record: weighted({
            setIdentifier: 'eu-west-1',
            region: 'eu-west-1',
            ttl: undefined,
            resourceRecords: undefined,
            aliasTarget: { hostedZoneId: 'Z32O12XQLNTSW2', dnsName: 'lb-eu.elb.amazonaws.com.', evaluateTargetHealth: true },
          }),
          weight: 200,
        },
      ]);
      const [call] = route53.commandCalls(ChangeResourceRecordSetsCommand);
      expect(call!.args[0].input.HostedZoneId).toBe('ZONEA');
      expect(call!.args[0].input.ChangeBatch?.Changes).toEqual([
        {
          Action: 'UPSERT',
          ResourceRecordSet: {
            Name: 'api.example.com',
            Type: 'A',
            SetIdentifier: 'us-east-1',
            Weight: 0,
            TTL: 30,
            ResourceRecords: [{ Value: '192.0.2.10' }, { Value: '192.0.2.11' }],
            HealthCheckId: 'hc-east',
          },
        },
        {
          Action: 'UPSERT',
          ResourceRecordSet: {
            Name: 'api.example.com',
            Type: 'A',
            SetIdentifier: 'eu-west-1',
            Weight: 200,
            AliasTarget: { HostedZoneId: 'Z32O12XQLNTSW2', DNSName: 'lb-eu.elb.amazonaws.com.', EvaluateTargetHealth: true },
          },
        },
      ]);
    });

    it('sends one zone’s batches one after another and different zones side by side', async () => {
      let inFlight = 0;
      let maxInFlight = 0;
      const inFlightPerZone = new Map<string, number>();
      let maxPerZone = 0;
      let n = 0;
      let release: () => void = () => undefined;
      const bothZonesStarted = new Promise<void>((resolve) => (release = resolve));
      route53.on(ChangeResourceRecordSetsCommand).callsFake(async (input: { HostedZoneId: string }) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const zone = (inFlightPerZone.get(input.HostedZoneId) ?? 0) + 1;
        inFlightPerZone.set(input.HostedZoneId, zone);
        maxPerZone = Math.max(maxPerZone, zone);
        if (inFlight === 2) release();
        await bothZonesStarted;
        inFlightPerZone.set(input.HostedZoneId, inFlightPerZone.get(input.HostedZoneId)! - 1);
        inFlight--;
        return { ChangeInfo: { Id: `/change/C${++n}`, Status: 'PENDING', SubmittedAt: new Date() } };
      });
      const perBatch = MAX_RECORDS_PER_BATCH / 2;
      const updates = [
        ...Array.from({ length: perBatch * 2 }, (_, i) => ({ record: singleValue(i, 'ZONEA'), weight: 5 })),
        ...Array.from({ length: perBatch * 2 }, (_, i) => ({ record: singleValue(i, 'ZONEB'), weight: 5 })),
      ];

      const changes = await cloud.setWeights(updates);

      expect(changes).toHaveLength(4);
      expect(maxPerZone).toBe(1);
      expect(maxInFlight).toBe(2);
    });

    it('sends nothing when there is nothing to change', async () => {
      expect(await cloud.setWeights([])).toEqual([]);
      expect(route53.calls()).toHaveLength(0);
    });

    it('refuses two different weights for one record set before calling AWS', async () => {
      const err = await rejection(cloud.setWeights([{ record: weighted(), weight: 1 }, { record: weighted({ name: 'API.example.com.' }), weight: 2 }]));
      expect(err.code).toBe('LB_ERR_VALIDATION');
      expect(route53.calls()).toHaveLength(0);
    });

    it('reports the batches already submitted when a later batch of the zone is rejected', async () => {
      route53
        .on(ChangeResourceRecordSetsCommand)
        .resolvesOnce({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date() } })
        .rejects(new Route53ServiceException({ name: 'InvalidChangeBatch', message: 'Tried to create resource record set but it already exists', $fault: 'client', $metadata: { httpStatusCode: 400 } }));
      const updates: WeightUpdate[] = Array.from({ length: MAX_RECORDS_PER_BATCH / 2 + 1 }, (_, i) => ({ record: singleValue(i), weight: 3 }));

      const err = await rejection(cloud.setWeights(updates));

      expect(err.code).toBe('LB_ERR_AWS_REJECTED');
      expect(err.details).toMatchObject({ awsCode: 'InvalidChangeBatch', submittedChanges: [{ changeId: 'C1', zoneId: 'ZONEA' }] });
    });
  });

  describe('changeStatus', () => {
    it('asks GetChange by bare id and maps its status to PENDING or INSYNC', async () => {
      route53.on(GetChangeCommand, { Id: 'CPEND' }).resolves({ ChangeInfo: { Id: '/change/CPEND', Status: 'PENDING', SubmittedAt: new Date() } });
      route53.on(GetChangeCommand, { Id: 'CDONE' }).resolves({ ChangeInfo: { Id: '/change/CDONE', Status: 'INSYNC', SubmittedAt: new Date() } });
      expect(await cloud.changeStatus('CPEND')).toBe('PENDING');
      expect(await cloud.changeStatus('/change/CDONE')).toBe('INSYNC');
      expect(route53.commandCalls(GetChangeCommand).map((c) => c.args[0].input.Id)).toEqual(['CPEND', 'CDONE']);
    });
  });

  describe('readWeights', () => {
    it('reads each (zone, name, type) from its start and answers in input order, undefined for a record that is gone', async () => {
      const api: ResourceRecordSet[] = [
        { Name: 'api.example.com.', Type: 'A', SetIdentifier: 'eu-west-1', Weight: 7, TTL: 60, ResourceRecords: [{ Value: '192.0.2.1' }] },
        { Name: 'api.example.com.', Type: 'A', SetIdentifier: 'us-east-1', Weight: 42, TTL: 60, ResourceRecords: [{ Value: '192.0.2.2' }] },
        { Name: 'api.example.com.', Type: 'AAAA', SetIdentifier: 'us-east-1', Weight: 99, TTL: 60, ResourceRecords: [{ Value: '2001:db8::1' }] },
      ];
      route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: api, IsTruncated: true, NextRecordName: 'api.example.com.', NextRecordType: 'AAAA', MaxItems: 3 });

      const weights = await cloud.readWeights([
        weighted({ name: 'API.Example.com', setIdentifier: 'us-east-1' }),
        weighted({ setIdentifier: 'us-west-2', region: 'us-west-2' }),
        weighted({ name: 'api.example.com.', setIdentifier: 'eu-west-1', region: 'eu-west-1' }),
      ]);

      expect(weights).toEqual([42, undefined, 7]);
      const requests = route53.commandCalls(ListResourceRecordSetsCommand).map((c) => c.args[0].input);
      expect(requests).toEqual([{ HostedZoneId: 'ZONEA', MaxItems: 3, StartRecordName: 'API.Example.com', StartRecordType: 'A' }]);
    });

    it('reads many names of one zone with one listing of the zone, not a call per name', async () => {
      const names = ['a', 'b', 'c', 'd', 'e'].map((n) => `${n}.example.com`);
      route53.on(ListResourceRecordSetsCommand).resolves({
        ResourceRecordSets: names.map((n, i) => ({ Name: `${n}.`, Type: 'A', SetIdentifier: 'us-east-1', Weight: i, TTL: 60, ResourceRecords: [{ Value: '192.0.2.1' }] })),
        IsTruncated: false,
        MaxItems: 3,
      });
      const weights = await cloud.readWeights(names.map((name) => weighted({ name, setIdentifier: 'us-east-1' })));
      expect(weights).toEqual([0, 1, 2, 3, 4]);
      expect(route53.commandCalls(ListResourceRecordSetsCommand).map((c) => c.args[0].input)).toEqual([{ HostedZoneId: 'ZONEA', MaxItems: 3 }]);
    });
  });

  describe('error mapping', () => {
    const ctx = { service: 'autoscaling' as const, region: 'us-east-1', action: 'UpdateAutoScalingGroup' };

    it('maps a ValidationError to LB_ERR_AWS_REJECTED with the service, region, action and AWS code and message', async () => {
      autoScaling.on(UpdateAutoScalingGroupCommand).rejects(autoScalingError('ValidationError', 'AutoScalingGroup name not found - no such group', 400));
      const err = await rejection(cloud.setGroupSize({ region: 'us-east-1', group: 'ghost', minSize: 1, desiredCapacity: 1, maxSize: 1 }));
      expect(err.code).toBe('LB_ERR_AWS_REJECTED');
      expect(err.status).toBe(502);
      expect(err.details).toMatchObject({
        service: 'autoscaling',
        region: 'us-east-1',
        action: 'UpdateAutoScalingGroup',
        awsCode: 'ValidationError',
        awsMessage: 'AutoScalingGroup name not found - no such group',
      });
      expect(err.message).not.toMatch(/\n\s+at /);
    });

    it.each(['Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'PriorRequestNotComplete', 'TooManyRequestsException'])(
      'maps %s to LB_ERR_AWS_THROTTLED',
      (code) => {
        const err = toLifeboatError(autoScalingError(code, 'Rate exceeded', 400), ctx) as LifeboatError;
        expect(err.code).toBe('LB_ERR_AWS_THROTTLED');
        expect(err.details).toMatchObject({ awsCode: code, attempts: 8 });
      },
    );

    it('maps a 5xx answer, a refused connection and a timeout to LB_ERR_AWS_UNAVAILABLE', () => {
      const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED', $metadata: { attempts: 8 } });
      const timeout = Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError' });
      for (const e of [autoScalingError('ServiceUnavailable', 'Service is unavailable', 503), refused, timeout]) {
        expect((toLifeboatError(e, ctx) as LifeboatError).code).toBe('LB_ERR_AWS_UNAVAILABLE');
      }
      expect((toLifeboatError(refused, ctx) as LifeboatError).details).toMatchObject({ awsCode: 'ECONNREFUSED' });
    });

    it('lets lifeboat’s own errors and programming errors through unchanged', () => {
      const own = new LifeboatError('LB_ERR_VALIDATION', 'bad');
      const bug = new TypeError('x is undefined');
      expect(toLifeboatError(own, ctx)).toBe(own);
      expect(toLifeboatError(bug, ctx)).toBe(bug);
    });
  });
});

/**
 * The limiter and the counters live in the SDK's middleware stack, which a mocked `send`
 * bypasses; these tests run the real SDK against a local endpoint that speaks the Auto
 * Scaling query protocol.
 */
describe('AwsCloud middleware (real SDK, local endpoint)', () => {
  const responses: Array<{ status: number; body: string }> = [];
  let requests = 0;
  let endpoint = '';
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      const next = responses.shift() ?? { status: 200, body: emptyGroups };
      res.writeHead(next.status, { 'content-type': 'text/xml' });
      res.end(next.body);
    });
  });
  const emptyGroups =
    '<DescribeAutoScalingGroupsResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><DescribeAutoScalingGroupsResult><AutoScalingGroups/></DescribeAutoScalingGroupsResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeAutoScalingGroupsResponse>';
  const queryError = (code: string, message: string) =>
    `<ErrorResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r</RequestId></ErrorResponse>`;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    responses.length = 0;
    requests = 0;
  });

  /** A clock that never really waits: it records each requested sleep and moves time by it. */
  function recordingClock(): Clock & { sleeps: number[] } {
    let t = 0;
    const sleeps: number[] = [];
    return {
      sleeps,
      now: () => t,
      sleep: async (ms) => {
        sleeps.push(ms);
        t += ms;
      },
    };
  }

  it('makes every attempt, SDK retries included, take a token and be counted, throttled attempts too', async () => {
    const clock = recordingClock();
    const limits = { burst: 1, refillPerSecond: 4 };
    const cloud = new AwsCloud({ regions: ['us-east-1'], endpoint, credentials: CREDENTIALS, maxAttempts: 3, rateLimits: { autoscaling: limits }, clock });
    responses.push({ status: 400, body: queryError('Throttling', 'Rate exceeded') });
    try {
      expect(await cloud.readGroups('us-east-1', ['api-us-east-1'])).toEqual([]);
    } finally {
      cloud.destroy();
    }
    expect(requests).toBe(2);
    // The first attempt used the only token; the retry waited for the next one.
    expect(clock.sleeps).toEqual([1000 / limits.refillPerSecond]);
    expect(cloud.stats.snapshot()).toEqual([
      { service: 'autoscaling', region: 'us-east-1', action: 'DescribeAutoScalingGroups', calls: 1, attempts: 2, throttles: 1, failures: 0 },
    ]);
  });

  it('reports a call still throttled after its last attempt as LB_ERR_AWS_THROTTLED', async () => {
    const cloud = new AwsCloud({ regions: ['us-east-1'], endpoint, credentials: CREDENTIALS, maxAttempts: 1 });
    responses.push({ status: 400, body: queryError('Throttling', 'Rate exceeded') });
    try {
      const err = await rejection(cloud.readGroups('us-east-1', ['api-us-east-1']));
      expect(err.code).toBe('LB_ERR_AWS_THROTTLED');
      expect(err.details).toMatchObject({ service: 'autoscaling', region: 'us-east-1', action: 'DescribeAutoScalingGroups', awsCode: 'Throttling' });
      expect(cloud.stats.snapshot()[0]).toMatchObject({ calls: 1, attempts: 1, throttles: 1, failures: 1 });
    } finally {
      cloud.destroy();
    }
  });

  it('reports a ValidationError answer as LB_ERR_AWS_REJECTED and a 503 as LB_ERR_AWS_UNAVAILABLE', async () => {
    const cloud = new AwsCloud({ regions: ['us-east-1'], endpoint, credentials: CREDENTIALS, maxAttempts: 1 });
    try {
      responses.push({ status: 400, body: queryError('ValidationError', 'Group name is too long') });
      const rejected = await rejection(cloud.readGroups('us-east-1', ['x']));
      expect(rejected.code).toBe('LB_ERR_AWS_REJECTED');
      expect(rejected.details).toMatchObject({ awsCode: 'ValidationError', awsMessage: 'Group name is too long', httpStatus: 400 });

      responses.push({ status: 503, body: queryError('ServiceUnavailable', 'Try later') });
      expect((await rejection(cloud.readGroups('us-east-1', ['x']))).code).toBe('LB_ERR_AWS_UNAVAILABLE');
    } finally {
      cloud.destroy();
    }
  });

  it('reports an endpoint that refuses connections as LB_ERR_AWS_UNAVAILABLE', async () => {
    const port = await freePort(); // nothing listens there
    const cloud = new AwsCloud({ regions: ['us-east-1'], endpoint: `http://127.0.0.1:${port}`, credentials: CREDENTIALS, maxAttempts: 1 });
    try {
      const err = await rejection(cloud.readGroups('us-east-1', ['x']));
      expect(err.code).toBe('LB_ERR_AWS_UNAVAILABLE');
      expect(err.details).toMatchObject({ awsCode: 'ECONNREFUSED' });
    } finally {
      cloud.destroy();
    }
  });
});
