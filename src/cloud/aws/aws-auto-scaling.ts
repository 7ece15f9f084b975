import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import {
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand,
  UpdateAutoScalingGroupCommand,
  paginateDescribeAutoScalingGroups,
  paginateDescribeScalingActivities,
} from '@aws-sdk/client-auto-scaling';
import type { PinRecord } from '../../core/pins';
import { PIN_TAGS, pinTags } from '../../core/pins';
import { LifeboatError } from '../../core/errors';
import type { AutoScalingGroupReading, GroupDetails, RegionCode } from '../../core/fleet';
import { TAG_SERVICE } from '../../core/fleet';
import type { GroupSizeUpdate, ScalingProblem } from '../ports';
import type { AwsClients } from './aws-clients';
import { awsCall, awsPages } from './aws-errors';

/** Sees each group as described, with its reading: for what only the raw description says (its launch template). */
export type GroupVisitor = (raw: AutoScalingGroup, reading: AutoScalingGroupReading) => void;

/** Where lifeboat calls Auto Scaling: reading groups, setting absolute sizes, reading scaling failures. */

/** DescribeAutoScalingGroups takes at most this many names a request. */
const GROUP_NAMES_PER_REQUEST = 50;
/** MaxRecords cap of DescribeAutoScalingGroups and DescribeScalingActivities. */
export const AUTO_SCALING_MAX_RECORDS = 100;

/** What DescribeAutoScalingGroups itself says about the group beyond its sizes. */
export function groupDetailsOf(g: AutoScalingGroup): GroupDetails {
  const overrides = (g.MixedInstancesPolicy?.LaunchTemplate?.Overrides ?? []).map((o) => o.InstanceType).filter((t): t is string => !!t);
  return {
    ...(g.SuspendedProcesses?.length ? { suspendedProcesses: g.SuspendedProcesses.map((p) => p.ProcessName ?? '').filter(Boolean).sort() } : {}),
    ...(g.AvailabilityZones?.length ? { availabilityZones: [...g.AvailabilityZones] } : {}),
    ...(g.MixedInstancesPolicy ? { mixedInstances: true } : {}),
    ...(overrides.length ? { instanceTypes: [...new Set(overrides)].map((type) => ({ type })) } : {}),
    ...(g.WarmPoolConfiguration
      ? {
          warmPool: {
            size: g.WarmPoolSize ?? 0,
            // AWS states the pool's size here; an emulator that does not (moto) leaves it to DescribeWarmPool.
            ...(g.WarmPoolSize === undefined ? { sizeUnknown: true } : {}),
            ...(g.WarmPoolConfiguration.MinSize !== undefined ? { minSize: g.WarmPoolConfiguration.MinSize } : {}),
            ...(g.WarmPoolConfiguration.MaxGroupPreparedCapacity !== undefined ? { maxGroupPreparedCapacity: g.WarmPoolConfiguration.MaxGroupPreparedCapacity } : {}),
            ...(g.WarmPoolConfiguration.PoolState ? { poolState: g.WarmPoolConfiguration.PoolState } : {}),
          },
        }
      : {}),
  };
}

function toGroupReading(region: RegionCode, g: AutoScalingGroup, account: string | undefined): AutoScalingGroupReading {
  const tags: Record<string, string> = {};
  for (const t of g.Tags ?? []) {
    if (t.Key !== undefined) tags[t.Key] = t.Value ?? '';
  }
  return {
    ...(account !== undefined ? { account } : {}),
    ...groupDetailsOf(g),
    region,
    name: g.AutoScalingGroupName ?? '',
    minSize: g.MinSize ?? 0,
    maxSize: g.MaxSize ?? 0,
    desiredCapacity: g.DesiredCapacity ?? 0,
    tags,
    instances: (g.Instances ?? []).map((i) => ({
      instanceId: i.InstanceId ?? '',
      ...(i.AvailabilityZone !== undefined ? { availabilityZone: i.AvailabilityZone } : {}),
      lifecycleState: i.LifecycleState ?? 'Unknown',
      healthStatus: i.HealthStatus ?? 'Unknown',
      ...(i.InstanceType !== undefined ? { instanceType: i.InstanceType } : {}),
    })),
  };
}

async function describeGroups(
  clients: AwsClients,
  region: RegionCode,
  request: { AutoScalingGroupNames?: string[]; Filters?: Array<{ Name: string; Values: string[] }> },
  pageSize: number,
  visit?: GroupVisitor,
): Promise<AutoScalingGroupReading[]> {
  const groups: AutoScalingGroupReading[] = [];
  const pages = paginateDescribeAutoScalingGroups({ client: clients.autoScaling(region), pageSize }, { ...request });
  for await (const page of awsPages({ service: 'autoscaling', region, action: 'DescribeAutoScalingGroups' }, pages)) {
    for (const g of page.AutoScalingGroups ?? []) {
      const reading = toGroupReading(region, g, clients.account);
      visit?.(g, reading);
      groups.push(reading);
    }
  }
  return groups;
}

/** Every group in the region that carries the lifeboat:service tag. */
export function readTaggedGroups(clients: AwsClients, region: RegionCode, pageSize: number, visit?: GroupVisitor): Promise<AutoScalingGroupReading[]> {
  return describeGroups(clients, region, { Filters: [{ Name: 'tag-key', Values: [TAG_SERVICE] }] }, pageSize, visit);
}

/** The named groups, in the order asked; groups that do not exist are left out. */
export async function readNamedGroups(
  clients: AwsClients,
  region: RegionCode,
  names: readonly string[],
  pageSize: number,
): Promise<AutoScalingGroupReading[]> {
  const unique = [...new Set(names)];
  const chunks: string[][] = [];
  for (let i = 0; i < unique.length; i += GROUP_NAMES_PER_REQUEST) chunks.push(unique.slice(i, i + GROUP_NAMES_PER_REQUEST));
  const found = (await Promise.all(chunks.map((chunk) => describeGroups(clients, region, { AutoScalingGroupNames: chunk }, pageSize)))).flat();
  const byName = new Map(found.map((g) => [g.name, g]));
  return unique.map((n) => byName.get(n)).filter((g): g is AutoScalingGroupReading => g !== undefined);
}

/** Refuses sizes AWS would refuse (or, like moto, silently accept): desired above max, min above desired. */
function checkGroupSize(update: GroupSizeUpdate): void {
  const { region, group, minSize, desiredCapacity, maxSize } = update;
  const sizes = { region, group, minSize, desiredCapacity, maxSize };
  for (const [field, value] of Object.entries({ minSize, desiredCapacity, maxSize })) {
    if (!Number.isInteger(value) || value < 0) {
      throw new LifeboatError('LB_ERR_VALIDATION', `${group} in ${region}: ${field} must be a whole number of instances, 0 or more (got ${value}).`, sizes);
    }
  }
  if (desiredCapacity > maxSize) {
    throw new LifeboatError(
      'LB_ERR_DESIRED_ABOVE_MAX',
      `${group} in ${region}: desired capacity ${desiredCapacity} is above MaxSize ${maxSize}; nothing was changed.`,
      sizes,
    );
  }
  if (minSize > desiredCapacity) {
    throw new LifeboatError(
      'LB_ERR_DESIRED_ABOVE_MAX',
      `${group} in ${region}: MinSize ${minSize} is above desired capacity ${desiredCapacity}; nothing was changed.`,
      sizes,
    );
  }
}

/**
 * Tags per CreateOrUpdateTags or DeleteTags request. The API reference states no limit (its
 * Tags.member.N is "one or more tags", each naming its own group), but one request naming 143
 * groups was refused in practice (cloud-custodian issue #4047, "ASG tagging fails when >25 ASGs
 * matched", one tag a group): lifeboat stays at 25 tags a request.
 */
export const TAGS_PER_REQUEST = 25;
/** Whole pin records per request: a group's record is never split across two requests (8 groups of 3 tags). */
export const PINS_PER_REQUEST = Math.floor(TAGS_PER_REQUEST / PIN_TAGS.length);

function chunked<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/**
 * Records the pins (core/pins.ts) of groups in one region, PINS_PER_REQUEST groups a
 * CreateOrUpdateTags: each tag names its group. Absolute values, so writing a record twice
 * is harmless. Resolves once every request has succeeded: only then may the groups be resized.
 */
export async function writePins(clients: AwsClients, region: RegionCode, pins: ReadonlyArray<{ group: string; pin: PinRecord }>): Promise<void> {
  const client = clients.autoScaling(region);
  await Promise.all(
    chunked(pins, PINS_PER_REQUEST).map((chunk) => {
      const tags = chunk.flatMap(({ group, pin }) =>
        Object.entries(pinTags(pin)).map(([Key, Value]) => ({ ResourceId: group, ResourceType: 'auto-scaling-group', Key, Value, PropagateAtLaunch: false })),
      );
      return awsCall({ service: 'autoscaling', region, action: 'CreateOrUpdateTags' }, () => client.send(new CreateOrUpdateTagsCommand({ Tags: tags })));
    }),
  );
}

/** Removes the pin records of groups in one region (after they are resized), PINS_PER_REQUEST groups a DeleteTags. */
export async function erasePins(clients: AwsClients, region: RegionCode, groups: readonly string[]): Promise<void> {
  const client = clients.autoScaling(region);
  await Promise.all(
    chunked([...new Set(groups)], PINS_PER_REQUEST).map((chunk) => {
      const tags = chunk.flatMap((group) => PIN_TAGS.map((Key) => ({ ResourceId: group, ResourceType: 'auto-scaling-group', Key })));
      return awsCall({ service: 'autoscaling', region, action: 'DeleteTags' }, () => client.send(new DeleteTagsCommand({ Tags: tags })));
    }),
  );
}

/**
 * Sets MinSize, MaxSize and DesiredCapacity together, absolutely. The pin record is not this
 * call's: writePins records it before (for every group a step resizes, in batches), and
 * erasePins removes it after, so the record never claims less than lifeboat did.
 */
export async function updateGroupSize(clients: AwsClients, update: GroupSizeUpdate): Promise<void> {
  checkGroupSize(update);
  const client = clients.autoScaling(update.region);
  await awsCall({ service: 'autoscaling', region: update.region, action: 'UpdateAutoScalingGroup' }, () =>
    client.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: update.group,
        MinSize: update.minSize,
        MaxSize: update.maxSize,
        DesiredCapacity: update.desiredCapacity,
      }),
    ),
  );
}

/** Error codes EC2 and Auto Scaling put into scaling activity messages, most specific first. */
const KNOWN_REASONS = [
  'InsufficientInstanceCapacity',
  'InsufficientFreeAddressesInSubnet',
  'InstanceLimitExceeded',
  'VcpuLimitExceeded',
  'MaxSpotInstanceCountExceeded',
  'SpotMaxPriceTooLow',
  'InsufficientCapacity',
  'UnfulfillableCapacity',
  'Unsupported',
];

/** A CamelCase token of two or more humps, maybe dotted (InvalidAMIID.NotFound): the shape of an AWS error code. */
const CAMEL_TOKEN = /\b[A-Z][a-z0-9]*[A-Z][A-Za-z0-9]*(?:\.[A-Z][A-Za-z0-9]*)*\b/g;
/** Words that make such a token an error code rather than a product name (AutoScaling, LaunchTemplate). */
const CODE_WORDS = /Insufficient|Invalid|Exceeded|Limit|NotFound|Unsupported|Denied|Unauthorized|Malformed|Error|Exception|Failure|TooLow|Capacity/;

/** Why a scaling activity failed, as an AWS error code when its message names one, else its status code. */
export function scalingProblemReason(statusMessage: string | undefined, statusCode: string): string {
  const message = statusMessage ?? '';
  const known = KNOWN_REASONS.find((code) => new RegExp(`\\b${code}\\b`).test(message));
  if (known) return known;
  const token = [...message.matchAll(CAMEL_TOKEN)].map((m) => m[0]).find((t) => CODE_WORDS.test(t));
  return token ?? statusCode;
}

/** Failed or cancelled activities of the groups since `since`, newest first. */
export async function readScalingProblems(
  clients: AwsClients,
  region: RegionCode,
  groups: readonly string[],
  since: string,
  pageSize: number,
): Promise<ScalingProblem[]> {
  const sinceMs = Date.parse(since);
  if (Number.isNaN(sinceMs)) throw new LifeboatError('LB_ERR_VALIDATION', `since must be an ISO time (got "${since}").`, { since });
  const client = clients.autoScaling(region);
  const perGroup = await Promise.all(
    [...new Set(groups)].map(async (group) => {
      const problems: ScalingProblem[] = [];
      const pages = paginateDescribeScalingActivities({ client, pageSize }, { AutoScalingGroupName: group });
      for await (const page of awsPages({ service: 'autoscaling', region, action: 'DescribeScalingActivities' }, pages)) {
        let reachedOlder = false;
        for (const a of page.Activities ?? []) {
          const at = a.StartTime?.getTime();
          if (at !== undefined && at < sinceMs) {
            reachedOlder = true;
            continue;
          }
          if (a.StatusCode !== 'Failed' && a.StatusCode !== 'Cancelled') continue;
          problems.push({
            region,
            group,
            reason: scalingProblemReason(a.StatusMessage, a.StatusCode),
            message: a.StatusMessage ?? a.Description ?? a.StatusCode,
            ...(a.StartTime ? { at: a.StartTime.toISOString() } : {}),
          });
        }
        // Activities come newest first: past one older than `since`, no later page matters.
        if (reachedOlder) break;
      }
      return problems;
    }),
  );
  return perGroup.flat().sort((a, b) => (b.at ?? '').localeCompare(a.at ?? ''));
}
