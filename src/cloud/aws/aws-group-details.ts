import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import {
  DescribeInstanceRefreshesCommand,
  DescribeLifecycleHooksCommand,
  ResumeProcessesCommand,
  SuspendProcessesCommand,
  paginateDescribeScheduledActions,
} from '@aws-sdk/client-auto-scaling';
import type { AutoScalingGroupReading, RegionCode, ScheduledAction, SnapshotWarning } from '../../core/fleet';
import { appendTo } from '../../core/maps';
import type { GroupProcessUpdate, InstanceRefreshReading } from '../ports';
import type { GroupVisitor } from './aws-auto-scaling';
import { readNamedGroups, readTaggedGroups } from './aws-auto-scaling';
import type { AwsClients } from './aws-clients';
import { readImpairedInstances, readTemplateInstanceTypes, readTypeOfferings, templateKey } from './aws-ec2';
import type { LaunchTemplateRef } from './aws-ec2';
import { awsCall, awsPages } from './aws-errors';
import { attachWarmPools } from './aws-warm-pools';

/**
 * What production groups carry besides their sizes, read with them: suspended processes,
 * scheduled actions, the instance types they launch and the zones that offer them, warm
 * pools (with their warm instances), mixed instances, launch hooks that hold instances in Pending:Wait, and the EC2
 * status of their instances. A detail that cannot be read is a warning, never a failed read.
 */

const asCall = (region: RegionCode, action: string) => ({ service: 'autoscaling' as const, region, action });

/** Instance refresh states in which instances are still being replaced. */
const REFRESH_UNDER_WAY = new Set(['Pending', 'InProgress', 'Cancelling', 'RollbackInProgress', 'Baking']);

/** The launch template a group launches from (its own, or its mixed instances policy's). */
function launchTemplateOf(g: AutoScalingGroup): LaunchTemplateRef | undefined {
  const t = g.LaunchTemplate ?? g.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
  if (!t || (!t.LaunchTemplateId && !t.LaunchTemplateName)) return undefined;
  return { ...(t.LaunchTemplateId ? { id: t.LaunchTemplateId } : { name: t.LaunchTemplateName! }), ...(t.Version ? { version: t.Version } : {}) };
}

/** Every managed group of the region in this account, with its details, and warnings for the details that could not be read. */
export async function readRegionGroups(clients: AwsClients, region: RegionCode, pageSize: number): Promise<{ groups: AutoScalingGroupReading[]; warnings: SnapshotWarning[] }> {
  const templates = new Map<AutoScalingGroupReading, LaunchTemplateRef>();
  const visit: GroupVisitor = (raw, reading) => {
    const t = launchTemplateOf(raw);
    if (t && !reading.instanceTypes) templates.set(reading, t);
  };
  const groups = await readTaggedGroups(clients, region, pageSize, visit);
  const warnings: SnapshotWarning[] = [];
  const attempt = async (what: string, read: () => Promise<void>) => {
    await read().catch((e: unknown) => {
      warnings.push({ code: 'GROUP_DETAILS_UNREADABLE', region, message: `${what} in ${region}${clients.account ? ` (account ${clients.account})` : ''} could not be read: ${e instanceof Error ? e.message : String(e)}` });
    });
  };
  await Promise.all([
    attempt('scheduled actions', () => attachScheduledActions(clients, region, groups)),
    attempt('instance types and their zones', () => attachInstanceTypes(clients, region, groups, templates)),
    attempt('EC2 instance status', () => markImpaired(clients, region, groups)),
    attempt('launch lifecycle hooks', () => attachLaunchHooks(clients, region, groups)),
    attempt('warm pools', () => attachWarmPools(clients, region, groups)),
  ]);
  return { groups, warnings };
}

/** The named groups as they are now, their InService instances' EC2 status checked (what operations count) unless only their sizes are wanted. */
export async function readLiveGroups(clients: AwsClients, region: RegionCode, names: readonly string[], pageSize: number, sizesOnly = false): Promise<AutoScalingGroupReading[]> {
  const groups = await readNamedGroups(clients, region, names, pageSize);
  if (!sizesOnly) await markImpaired(clients, region, groups);
  return groups;
}

async function attachScheduledActions(clients: AwsClients, region: RegionCode, groups: AutoScalingGroupReading[]): Promise<void> {
  if (groups.length === 0) return;
  const byGroup = new Map<string, ScheduledAction[]>();
  const pages = paginateDescribeScheduledActions({ client: clients.autoScaling(region), pageSize: 100 }, {});
  for await (const page of awsPages(asCall(region, 'DescribeScheduledActions'), pages)) {
    for (const a of page.ScheduledUpdateGroupActions ?? []) {
      if (!a.AutoScalingGroupName || !a.ScheduledActionName) continue;
      appendTo(byGroup, a.AutoScalingGroupName, {
        name: a.ScheduledActionName,
        ...(a.StartTime ? { startTime: a.StartTime.toISOString() } : {}),
        ...(a.EndTime ? { endTime: a.EndTime.toISOString() } : {}),
        ...(a.Recurrence ? { recurrence: a.Recurrence } : {}),
        ...(a.TimeZone ? { timeZone: a.TimeZone } : {}),
        ...(a.MinSize !== undefined ? { minSize: a.MinSize } : {}),
        ...(a.MaxSize !== undefined ? { maxSize: a.MaxSize } : {}),
        ...(a.DesiredCapacity !== undefined ? { desiredCapacity: a.DesiredCapacity } : {}),
      });
    }
  }
  for (const g of groups) {
    const actions = byGroup.get(g.name);
    if (actions) g.scheduledActions = actions;
  }
}

/** Each group's instance types (its launch template's, unless mixed instances overrides name them) and the group's zones that offer each. */
async function attachInstanceTypes(clients: AwsClients, region: RegionCode, groups: AutoScalingGroupReading[], templates: Map<AutoScalingGroupReading, LaunchTemplateRef>): Promise<void> {
  const typeOf = await readTemplateInstanceTypes(clients, region, [...templates.values()]);
  for (const [g, t] of templates) {
    const type = typeOf.get(templateKey(t));
    if (type) g.instanceTypes = [{ type }];
  }
  const withTypes = groups.filter((g) => g.instanceTypes?.length && g.availabilityZones?.length);
  const offered = await readTypeOfferings(
    clients,
    region,
    withTypes.flatMap((g) => g.instanceTypes!.map((t) => t.type)),
    withTypes.flatMap((g) => g.availabilityZones!),
  );
  for (const g of withTypes) {
    g.instanceTypes = g.instanceTypes!.map((t) => ({ type: t.type, offeredIn: g.availabilityZones!.filter((z) => offered.get(t.type)?.has(z)) }));
  }
}

async function markImpaired(clients: AwsClients, region: RegionCode, groups: AutoScalingGroupReading[]): Promise<void> {
  const inService = groups.flatMap((g) => g.instances.filter((i) => i.lifecycleState === 'InService').map((i) => i.instanceId));
  if (inService.length === 0) return;
  const impaired = await readImpairedInstances(clients, region, inService);
  for (const g of groups) for (const i of g.instances) if (impaired.has(i.instanceId)) i.impaired = true;
}

/** Only for groups with instances held in Pending:Wait: who holds them. */
async function attachLaunchHooks(clients: AwsClients, region: RegionCode, groups: AutoScalingGroupReading[]): Promise<void> {
  const waiting = groups.filter((g) => g.instances.some((i) => i.lifecycleState === 'Pending:Wait'));
  await Promise.all(
    waiting.map(async (g) => {
      const answer = await awsCall(asCall(region, 'DescribeLifecycleHooks'), () =>
        clients.autoScaling(region).send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: g.name })),
      );
      g.launchHooks = (answer.LifecycleHooks ?? [])
        .filter((h) => h.LifecycleTransition === 'autoscaling:EC2_INSTANCE_LAUNCHING' && h.LifecycleHookName)
        .map((h) => h.LifecycleHookName!);
    }),
  );
}

/** The instance refresh under way on each named group, if any (one call per group: asked only for the groups a plan grows or loads). */
export async function readInstanceRefreshes(clients: AwsClients, region: RegionCode, groups: readonly string[]): Promise<InstanceRefreshReading[]> {
  const found = await Promise.all(
    [...new Set(groups)].map(async (group): Promise<InstanceRefreshReading | undefined> => {
      const answer = await awsCall(asCall(region, 'DescribeInstanceRefreshes'), () =>
        clients.autoScaling(region).send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: group, MaxRecords: 10 })),
      );
      const r = (answer.InstanceRefreshes ?? []).find((x) => x.Status && REFRESH_UNDER_WAY.has(x.Status));
      if (!r) return undefined;
      return {
        region,
        group,
        ...(clients.account !== undefined ? { account: clients.account } : {}),
        id: r.InstanceRefreshId ?? '',
        status: String(r.Status),
        ...(r.PercentageComplete !== undefined ? { percentageComplete: r.PercentageComplete } : {}),
      };
    }),
  );
  return found.filter((r): r is InstanceRefreshReading => r !== undefined);
}

export async function suspendProcesses(clients: AwsClients, update: GroupProcessUpdate): Promise<void> {
  await awsCall(asCall(update.region, 'SuspendProcesses'), () =>
    clients.autoScaling(update.region).send(new SuspendProcessesCommand({ AutoScalingGroupName: update.group, ScalingProcesses: [...update.processes] })),
  );
}

export async function resumeProcesses(clients: AwsClients, update: GroupProcessUpdate): Promise<void> {
  await awsCall(asCall(update.region, 'ResumeProcesses'), () =>
    clients.autoScaling(update.region).send(new ResumeProcessesCommand({ AutoScalingGroupName: update.group, ScalingProcesses: [...update.processes] })),
  );
}
