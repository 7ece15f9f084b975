import { DescribeLaunchTemplateVersionsCommand, paginateDescribeInstanceStatus, paginateDescribeInstanceTypeOfferings } from '@aws-sdk/client-ec2';
import type { RegionCode } from '../../core/fleet';
import type { AwsClients } from './aws-clients';
import { awsCall, awsPages } from './aws-errors';

/**
 * Where lifeboat calls EC2: the instance types a launch template launches, which zones offer
 * them, and which instances fail their status checks. Every call draws on the EC2 quota
 * buckets of its region (and account).
 */

/** DescribeInstanceStatus takes at most this many explicit instance ids. */
const INSTANCE_IDS_PER_REQUEST = 100;
/** Filter values per DescribeInstanceTypeOfferings filter, to stay well within the API's limits. */
const FILTER_VALUES_PER_REQUEST = 50;

/** A launch template as a group names it. */
export interface LaunchTemplateRef {
  id?: string;
  name?: string;
  /** $Latest, $Default or a number; $Default when the group says nothing. */
  version?: string;
}

const ec2Call = (region: RegionCode, action: string) => ({ service: 'ec2' as const, region, action });

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function templateKey(t: LaunchTemplateRef): string {
  return `${t.id ?? ''}\u0000${t.name ?? ''}\u0000${t.version ?? '$Default'}`;
}

/** The instance type of each launch template version, by templateKey; a template that cannot be read is left out. */
export async function readTemplateInstanceTypes(clients: AwsClients, region: RegionCode, templates: readonly LaunchTemplateRef[]): Promise<Map<string, string>> {
  const unique = new Map(templates.map((t) => [templateKey(t), t]));
  const types = new Map<string, string>();
  await Promise.all(
    [...unique].map(async ([key, t]) => {
      const answer = await awsCall(ec2Call(region, 'DescribeLaunchTemplateVersions'), () =>
        clients.ec2(region).send(
          new DescribeLaunchTemplateVersionsCommand({
            ...(t.id ? { LaunchTemplateId: t.id } : { LaunchTemplateName: t.name }),
            Versions: [t.version ?? '$Default'],
          }),
        ),
      );
      const type = answer.LaunchTemplateVersions?.[0]?.LaunchTemplateData?.InstanceType;
      if (type) types.set(key, type);
    }),
  );
  return types;
}

/** For each instance type, the zones (of those asked) that offer it. */
export async function readTypeOfferings(clients: AwsClients, region: RegionCode, types: readonly string[], zones: readonly string[]): Promise<Map<string, Set<string>>> {
  const offered = new Map<string, Set<string>>(types.map((t) => [t, new Set<string>()]));
  if (types.length === 0 || zones.length === 0) return offered;
  for (const typeChunk of chunks([...new Set(types)], FILTER_VALUES_PER_REQUEST)) {
    for (const zoneChunk of chunks([...new Set(zones)], FILTER_VALUES_PER_REQUEST)) {
      const pages = paginateDescribeInstanceTypeOfferings(
        { client: clients.ec2(region) },
        {
          LocationType: 'availability-zone',
          Filters: [
            { Name: 'location', Values: zoneChunk },
            { Name: 'instance-type', Values: typeChunk },
          ],
        },
      );
      for await (const page of awsPages(ec2Call(region, 'DescribeInstanceTypeOfferings'), pages)) {
        for (const o of page.InstanceTypeOfferings ?? []) if (o.InstanceType && o.Location) offered.get(o.InstanceType)?.add(o.Location);
      }
    }
  }
  return offered;
}

/**
 * The instances, of those named, whose EC2 instance or system status check is impaired;
 * asked 100 ids a request. Auto Scaling may still report them InService and Healthy (its
 * health check may be the load balancer's, or not have run yet), but they serve nothing.
 */
export async function readImpairedInstances(clients: AwsClients, region: RegionCode, instanceIds: readonly string[]): Promise<Set<string>> {
  const impaired = new Set<string>();
  for (const ids of chunks([...new Set(instanceIds)], INSTANCE_IDS_PER_REQUEST)) {
    const pages = paginateDescribeInstanceStatus({ client: clients.ec2(region) }, { InstanceIds: ids });
    for await (const page of awsPages(ec2Call(region, 'DescribeInstanceStatus'), pages)) {
      for (const st of page.InstanceStatuses ?? []) {
        if (st.InstanceId && (st.InstanceStatus?.Status === 'impaired' || st.SystemStatus?.Status === 'impaired')) impaired.add(st.InstanceId);
      }
    }
  }
  return impaired;
}
