import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, DescribeImagesCommand, DescribeLaunchTemplatesCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { Change } from '@aws-sdk/client-route-53';
import {
  ChangeResourceRecordSetsCommand,
  ChangeTagsForResourceCommand,
  CreateHostedZoneCommand,
  ListHostedZonesByNameCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import type { AwsCredentials } from '../../cloud/aws/aws-clients';
import { ROUTE53_REGION } from '../../cloud/aws/aws-clients';
import { TAG_CAPACITY_PER_INSTANCE, TAG_MANAGED_ZONE, TAG_SERVICE, TAG_TRAFFIC } from '../../core/fleet';

/**
 * Seeds a fleet that follows lifeboat's conventions into moto (or any AWS account) through
 * the SDK: launch templates, tagged Auto Scaling groups, a managed hosted zone and weighted
 * records. Seeding twice updates sizes and weights instead of failing.
 */

interface DemoRegionSpec {
  desired: number;
  /** Default 1 (or desired when smaller). */
  min?: number;
  /** Default 3 x desired. */
  max?: number;
  /** Weight of the service's record for this region; no record when omitted. */
  weight?: number;
  /** How many groups serve the service here; sizes are split between them. Default 1. */
  groups?: number;
}

interface DemoServiceSpec {
  name: string;
  /** DNS name of the service's weighted records (and its lifeboat:traffic tag). */
  dns?: string;
  /** Requests per second one instance serves (lifeboat:capacity-per-instance). */
  capacityPerInstance?: number;
  regions: Record<string, DemoRegionSpec>;
}

export interface DemoFleetSpec {
  /** Default example.com. */
  zoneName?: string;
  regions: string[];
  services: DemoServiceSpec[];
}

interface SeedOptions {
  endpoint: string;
  credentials?: AwsCredentials;
}

interface SeededGroup {
  region: string;
  name: string;
  service: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
}

interface SeededRecord {
  name: string;
  type: 'A';
  setIdentifier: string;
  weight: number;
  value: string;
}

export interface SeededFleet {
  zoneId: string;
  zoneName: string;
  groups: SeededGroup[];
  records: SeededRecord[];
}

const LAUNCH_TEMPLATE_NAME = 'lifeboat-demo';
const SEED_CONCURRENCY = 4;

const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];
const everywhere = (spec: DemoRegionSpec, overrides: Record<string, Partial<DemoRegionSpec>> = {}) =>
  Object.fromEntries(REGIONS.map((r) => [r, { ...spec, ...overrides[r] }]));

/** The demo fleet: four services in three regions, web weighted less in eu-west-1 so shares differ. */
export const DEMO_FLEET: DemoFleetSpec = {
  zoneName: 'example.com',
  regions: REGIONS,
  services: [
    { name: 'api', dns: 'api.example.com', capacityPerInstance: 120, regions: everywhere({ desired: 6, min: 2, max: 18, weight: 100 }) },
    {
      name: 'web',
      dns: 'www.example.com',
      capacityPerInstance: 80,
      regions: everywhere({ desired: 4, min: 2, max: 12, weight: 100 }, { 'eu-west-1': { desired: 3, max: 9, weight: 50 } }),
    },
    {
      name: 'checkout',
      dns: 'checkout.example.com',
      capacityPerInstance: 50,
      regions: everywhere({ desired: 8, min: 2, max: 24, weight: 100, groups: 2 }),
    },
    { name: 'search', dns: 'search.example.com', capacityPerInstance: 200, regions: everywhere({ desired: 3, min: 1, max: 9, weight: 100 }) },
  ],
};

/** Group names and sizes a spec produces: sizes split as evenly as possible, earlier groups taking the remainder. */
function plannedGroups(spec: DemoFleetSpec): SeededGroup[] {
  const groups: SeededGroup[] = [];
  for (const service of spec.services) {
    for (const region of spec.regions) {
      const r = service.regions[region];
      if (!r) continue;
      const n = r.groups ?? 1;
      const part = (x: number, k: number) => Math.floor(x / n) + (k < x % n ? 1 : 0);
      for (let k = 0; k < n; k++) {
        groups.push({
          region,
          name: `${service.name}-${region}${n > 1 ? `-${k + 1}` : ''}`,
          service: service.name,
          minSize: part(r.min ?? Math.min(1, r.desired), k),
          maxSize: part(r.max ?? r.desired * 3, k),
          desiredCapacity: part(r.desired, k),
        });
      }
    }
  }
  return groups;
}

/** Weighted records a spec produces: one A record per (service with dns, region with weight). */
function plannedRecords(spec: DemoFleetSpec): SeededRecord[] {
  const records: SeededRecord[] = [];
  let host = 10;
  for (const service of spec.services) {
    if (!service.dns) continue;
    for (const region of spec.regions) {
      const r = service.regions[region];
      if (r?.weight === undefined) continue;
      records.push({ name: service.dns, type: 'A', setIdentifier: region, weight: r.weight, value: `192.0.2.${host++}` });
    }
  }
  return records;
}

export async function seedFleet(spec: DemoFleetSpec, options: SeedOptions): Promise<SeededFleet> {
  const config = (region: string) => ({
    region,
    endpoint: options.endpoint,
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
  });
  const groups = plannedGroups(spec);
  const services = new Map(spec.services.map((s) => [s.name, s]));

  await Promise.all(
    spec.regions.map(async (region) => {
      const ec2 = new EC2Client(config(region));
      const autoScaling = new AutoScalingClient(config(region));
      try {
        await ensureLaunchTemplate(ec2);
        // A few groups at a time: the bench seeds thousands, and each waits on a round trip.
        const pending = groups.filter((g) => g.region === region);
        const seedNext = async (): Promise<void> => {
          for (let g = pending.shift(); g; g = pending.shift()) {
            const service = services.get(g.service)!;
            await ensureGroup(autoScaling, region, g, {
              [TAG_SERVICE]: service.name,
              ...(service.dns ? { [TAG_TRAFFIC]: service.dns } : {}),
              ...(service.capacityPerInstance !== undefined ? { [TAG_CAPACITY_PER_INSTANCE]: String(service.capacityPerInstance) } : {}),
            });
          }
        };
        await Promise.all(Array.from({ length: SEED_CONCURRENCY }, seedNext));
      } finally {
        ec2.destroy();
        autoScaling.destroy();
      }
    }),
  );

  const route53 = new Route53Client(config(ROUTE53_REGION));
  try {
    const zoneName = spec.zoneName ?? 'example.com';
    const zoneId = await ensureHostedZone(route53, zoneName, { [TAG_MANAGED_ZONE]: 'true' });
    const records = plannedRecords(spec);
    if (records.length > 0) {
      const changes: Change[] = records.map((r) => ({
        Action: 'UPSERT',
        ResourceRecordSet: { Name: r.name, Type: r.type, SetIdentifier: r.setIdentifier, Weight: r.weight, TTL: 60, ResourceRecords: [{ Value: r.value }] },
      }));
      // Route 53 takes at most 1,000 changes a batch (an UPSERT counts twice): 500 at a time.
      for (let i = 0; i < changes.length; i += 500) {
        await route53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: changes.slice(i, i + 500) } }));
      }
    }
    return { zoneId, zoneName, groups, records };
  } finally {
    route53.destroy();
  }
}

/** The launch template every demo group uses; created with the first image the endpoint lists. */
async function ensureLaunchTemplate(ec2: EC2Client): Promise<void> {
  const existing = await ec2
    .send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: [LAUNCH_TEMPLATE_NAME] }))
    .catch((e: unknown) => {
      if ((e as { name?: string }).name?.startsWith('InvalidLaunchTemplateName')) return undefined;
      throw e;
    });
  if (existing?.LaunchTemplates?.length) return;
  const images = await ec2.send(new DescribeImagesCommand({ MaxResults: 5 }));
  const imageId = images.Images?.[0]?.ImageId;
  if (!imageId) throw new Error('DescribeImages listed no image to base the demo launch template on.');
  await ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: LAUNCH_TEMPLATE_NAME,
      LaunchTemplateData: { ImageId: imageId, InstanceType: 't3.micro' },
    }),
  );
}

/** Creates the group, or sets its sizes if it exists already. */
export async function ensureGroup(autoScaling: AutoScalingClient, region: string, g: SeededGroup, tags: Record<string, string>): Promise<void> {
  const found = await autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [g.name] }));
  if (found.AutoScalingGroups?.length) {
    await autoScaling.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: g.name, MinSize: g.minSize, MaxSize: g.maxSize, DesiredCapacity: g.desiredCapacity }),
    );
    return;
  }
  await autoScaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: g.name,
      LaunchTemplate: { LaunchTemplateName: LAUNCH_TEMPLATE_NAME, Version: '$Latest' },
      MinSize: g.minSize,
      MaxSize: g.maxSize,
      DesiredCapacity: g.desiredCapacity,
      AvailabilityZones: [`${region}a`],
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value, PropagateAtLaunch: true, ResourceId: g.name, ResourceType: 'auto-scaling-group' })),
    }),
  );
}

/** The hosted zone with this name (created if missing), tagged as given; returns its id without /hostedzone/. */
export async function ensureHostedZone(route53: Route53Client, zoneName: string, tags: Record<string, string>): Promise<string> {
  const fqdn = zoneName.endsWith('.') ? zoneName : `${zoneName}.`;
  const listed = await route53.send(new ListHostedZonesByNameCommand({ DNSName: fqdn, MaxItems: 1 }));
  const existing = listed.HostedZones?.find((z) => z.Name?.toLowerCase() === fqdn.toLowerCase());
  let id = existing?.Id;
  if (!id) {
    const created = await route53.send(new CreateHostedZoneCommand({ Name: fqdn, CallerReference: `lifeboat-${fqdn}-${Date.now()}` }));
    id = created.HostedZone?.Id;
  }
  if (!id) throw new Error(`Route 53 returned no id for hosted zone ${fqdn}.`);
  const zoneId = id.replace(/^\/hostedzone\//, '');
  if (Object.keys(tags).length > 0) {
    await route53.send(
      new ChangeTagsForResourceCommand({
        ResourceType: 'hostedzone',
        ResourceId: zoneId,
        AddTags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
  }
  return zoneId;
}
