import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { ChangeResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsCloud } from '../../src/cloud/aws/aws-cloud';
import { ROUTE53_REGION } from '../../src/cloud/aws/aws-clients';
import type { WeightUpdate } from '../../src/cloud/ports';
import { LifeboatError } from '../../src/core/errors';
import type { FleetReading, FleetSnapshot, WeightedRecord } from '../../src/core/fleet';
import { assembleSnapshot } from '../../src/core/snapshot';
import type { MotoServer } from '../../src/sandbox/moto/moto-server';
import { startMotoServer } from '../../src/sandbox/moto/moto-server';
import type { SeededFleet } from '../../src/sandbox/fleet/seed-fleet';
import { DEMO_FLEET, ensureGroup, ensureHostedZone, seedFleet } from '../../src/sandbox/fleet/seed-fleet';

/**
 * The AWS adapter against a real moto server: seeded with the demo fleet plus things lifeboat
 * must leave alone, read with tiny pages so every listing paginates, then changed and read back.
 */

const CREDENTIALS = { accessKeyId: 'AKIDMOTOTESTING', secretAccessKey: 'moto-testing-secret' };
const REGIONS = DEMO_FLEET.regions;

const UNMANAGED_GROUP = { region: 'us-east-1', name: 'batch-us-east-1', service: 'batch', minSize: 1, maxSize: 3, desiredCapacity: 1 };
const UNMANAGED_ZONE = 'unmanaged.example.org';
const CANARY = { name: 'api.example.com', setIdentifier: 'canary', weight: 5, value: '192.0.2.250' };

/** moto ignores StartRecordIdentifier, so a page must hold every record set of one name and type (see aws-route53.ts). */
const LARGEST_NAME_TYPE_GROUP = Math.max(
  ...DEMO_FLEET.services.map((s) => Object.values(s.regions).filter((r) => r.weight !== undefined).length + (s.dns === CANARY.name ? 1 : 0)),
);
const PAGE_SIZE = { autoScaling: 2, route53: LARGEST_NAME_TYPE_GROUP + 1 };

let moto: MotoServer;
let seeded: SeededFleet;
let cloud: AwsCloud;
let initialReading: FleetReading;
let initial: FleetSnapshot;

beforeAll(async () => {
  moto = await startMotoServer();
  const endpoint = moto.endpoint;
  seeded = await seedFleet(DEMO_FLEET, { endpoint, credentials: CREDENTIALS });

  // Things lifeboat must leave alone: a group without lifeboat:service, a zone without
  // lifeboat:managed, and a weighted record whose SetIdentifier is not a region.
  const autoScaling = new AutoScalingClient({ region: UNMANAGED_GROUP.region, endpoint, credentials: CREDENTIALS });
  const route53 = new Route53Client({ region: ROUTE53_REGION, endpoint, credentials: CREDENTIALS });
  try {
    await ensureGroup(autoScaling, UNMANAGED_GROUP.region, UNMANAGED_GROUP, { team: 'batch' });
    const unmanagedZoneId = await ensureHostedZone(route53, UNMANAGED_ZONE, { team: 'batch' });
    await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: unmanagedZoneId,
        ChangeBatch: {
          Changes: [
            {
              Action: 'UPSERT',
              ResourceRecordSet: { Name: `api.${UNMANAGED_ZONE}`, Type: 'A', SetIdentifier: 'us-east-1', Weight: 100, TTL: 60, ResourceRecords: [{ Value: '192.0.2.200' }] },
            },
          ],
        },
      }),
    );
    await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: seeded.zoneId,
        ChangeBatch: {
          Changes: [
            {
              Action: 'UPSERT',
              ResourceRecordSet: { Name: CANARY.name, Type: 'A', SetIdentifier: CANARY.setIdentifier, Weight: CANARY.weight, TTL: 60, ResourceRecords: [{ Value: CANARY.value }] },
            },
          ],
        },
      }),
    );
  } finally {
    autoScaling.destroy();
    route53.destroy();
  }

  cloud = new AwsCloud({ regions: REGIONS, endpoint, credentials: CREDENTIALS, pageSize: PAGE_SIZE });
  initialReading = await cloud.readFleet();
  initial = assembleSnapshot(initialReading);
});

afterAll(async () => {
  cloud?.destroy();
  await moto?.stop();
});

const sizesOf = (g: { region: string; name: string; minSize: number; maxSize: number; desiredCapacity: number }) =>
  `${g.region}/${g.name} min=${g.minSize} desired=${g.desiredCapacity} max=${g.maxSize}`;

function recordOf(snapshot: FleetSnapshot, name: string, region: string): WeightedRecord {
  const record = snapshot.records.find((r) => r.name === name && r.region === region);
  if (!record) throw new Error(`no weighted record ${name} for ${region}`);
  return record;
}

describe('AwsCloud against moto: reading the fleet', () => {
  it('reads exactly the seeded managed groups, with their sizes, and every instance in service', () => {
    expect(initialReading.warnings).toBeUndefined();
    expect(initialReading.groups.map((g) => g.name)).not.toContain(UNMANAGED_GROUP.name);
    expect(initial.groups.map(sizesOf).sort()).toEqual(seeded.groups.map(sizesOf).sort());
    for (const g of initial.groups) {
      expect(g.inService, `${g.region}/${g.name}`).toBe(g.desiredCapacity);
      expect(g.instances.every((i) => i.availabilityZone === `${g.region}a`)).toBe(true);
    }
  });

  it('adds up the capacity of every group serving one service in one region', () => {
    const expected = new Map<string, { groups: number; desired: number; max: number }>();
    for (const g of seeded.groups) {
      const key = `${g.service}/${g.region}`;
      const sum = expected.get(key) ?? { groups: 0, desired: 0, max: 0 };
      expected.set(key, { groups: sum.groups + 1, desired: sum.desired + g.desiredCapacity, max: sum.max + g.maxSize });
    }
    const actual = new Map(
      initial.capacity.map((c) => [`${c.service}/${c.region}`, { groups: c.groups.length, desired: c.desiredCapacity, max: c.maxSize }]),
    );
    expect(actual).toEqual(expected);
    for (const c of initial.capacity) expect(c.inService).toBe(c.desiredCapacity);
    const perInstance = new Map(DEMO_FLEET.services.map((s) => [s.name, s.capacityPerInstance]));
    for (const c of initial.capacity) expect(c.capacityPerInstance).toBe(perInstance.get(c.service));
  });

  it('gives each region the share of a name’s traffic its seeded weight implies', () => {
    const totals = new Map<string, number>();
    for (const r of seeded.records) totals.set(r.name, (totals.get(r.name) ?? 0) + r.weight);
    const expected = seeded.records.map((r) => ({ name: r.name, region: r.setIdentifier, weight: r.weight, share: r.weight / totals.get(r.name)! }));
    const byKey = (a: { name: string; region: string }, b: { name: string; region: string }) => a.name.localeCompare(b.name) || a.region.localeCompare(b.region);
    expect([...initial.traffic].sort(byKey)).toEqual(expected.sort(byKey));
  });

  it('reads only the hosted zones tagged lifeboat:managed=true', () => {
    expect(initialReading.zones.map((z) => z.zoneId)).toEqual([seeded.zoneId]);
    expect(initialReading.zones[0]!.zoneName).toBe(DEMO_FLEET.zoneName);
  });

  it('keeps a weighted record whose SetIdentifier is not a region in the reading, and the snapshot warns about it', () => {
    const records = initialReading.zones.flatMap((z) => z.records);
    expect(records).toContainEqual(
      expect.objectContaining({ name: `${CANARY.name}.`, type: 'A', setIdentifier: CANARY.setIdentifier, weight: CANARY.weight, ttl: 60, resourceRecords: [CANARY.value] }),
    );
    expect(initial.records.map((r) => r.setIdentifier)).not.toContain(CANARY.setIdentifier);
    expect(initial.warnings).toContainEqual(expect.objectContaining({ code: 'RECORD_UNKNOWN_SET_IDENTIFIER', name: CANARY.name }));
  });

  it('pages through every listing when pages are small', () => {
    const calls = (action: string, region?: string) =>
      cloud.stats
        .snapshot()
        .filter((s) => s.action === action && (region === undefined || s.region === region))
        .reduce((n, s) => n + s.calls, 0);
    for (const region of REGIONS) {
      const groups = initialReading.groups.filter((g) => g.region === region).length;
      expect(calls('DescribeAutoScalingGroups', region)).toBeGreaterThanOrEqual(Math.ceil(groups / PAGE_SIZE.autoScaling));
    }
    const recordSets = initialReading.zones[0]!.records.length;
    expect(recordSets).toBeGreaterThan(PAGE_SIZE.route53);
    expect(calls('ListResourceRecordSets')).toBeGreaterThan(1);
  });

  it('asks for scaling activities in a form moto accepts (moto records no failures)', async () => {
    const groups = initial.groups.filter((g) => g.region === 'eu-west-1').map((g) => g.name);
    await expect(cloud.readScalingProblems('eu-west-1', groups, initial.takenAt)).resolves.toEqual([]);
  });
});

describe('AwsCloud against moto: changing the fleet', () => {
  it('sets absolute group sizes that moto then reports', async () => {
    const [a, b] = [initial.groups.find((g) => g.service === 'api' && g.region === 'us-west-2')!, initial.groups.find((g) => g.service === 'checkout' && g.region === 'eu-west-1')!];
    const targets = [
      { region: a.region, group: a.name, minSize: a.minSize, desiredCapacity: a.desiredCapacity + 3, maxSize: a.maxSize + 4 },
      { region: b.region, group: b.name, minSize: 1, desiredCapacity: b.desiredCapacity - 1, maxSize: b.maxSize },
    ];
    for (const t of targets) await cloud.setGroupSize(t);

    for (const t of targets) {
      const [read] = await cloud.readGroups(t.region, [t.group]);
      expect(read && { min: read.minSize, desired: read.desiredCapacity, max: read.maxSize }).toEqual({ min: t.minSize, desired: t.desiredCapacity, max: t.maxSize });
    }
  });

  it('refuses desired capacity above MaxSize and leaves the group as it was', async () => {
    const g = initial.groups.find((x) => x.service === 'search' && x.region === 'us-east-1')!;
    const err = await cloud.setGroupSize({ region: g.region, group: g.name, minSize: g.minSize, desiredCapacity: g.maxSize + 1, maxSize: g.maxSize }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LifeboatError);
    expect((err as LifeboatError).code).toBe('LB_ERR_DESIRED_ABOVE_MAX');
    const [read] = await cloud.readGroups(g.region, [g.name]);
    expect(read && sizesOf(read)).toBe(sizesOf(g));
  });

  it('upserts weights that moto then reports, through changes that are INSYNC, leaving other records alone', async () => {
    const updates: WeightUpdate[] = [
      { record: recordOf(initial, 'api.example.com', 'us-east-1'), weight: 0 },
      { record: recordOf(initial, 'api.example.com', 'us-west-2'), weight: 150 },
      { record: recordOf(initial, 'www.example.com', 'eu-west-1'), weight: 100 },
      { record: recordOf(initial, 'search.example.com', 'eu-west-1'), weight: 20 },
    ];

    const changes = await cloud.setWeights(updates);

    expect(changes.map((c) => [c.zoneId, c.records])).toEqual([[seeded.zoneId, updates.length]]);
    for (const c of changes) expect(await cloud.changeStatus(c.changeId)).toBe('INSYNC');
    expect(await cloud.readWeights(updates.map((u) => u.record))).toEqual(updates.map((u) => u.weight));

    const after = assembleSnapshot(await cloud.readFleet());
    const weightOf = (s: FleetSnapshot, name: string, region: string) => s.traffic.find((t) => t.name === name && t.region === region)?.weight;
    for (const u of updates) expect(weightOf(after, u.record.name, u.record.region)).toBe(u.weight);
    const untouched = initial.traffic.filter((t) => !updates.some((u) => u.record.name === t.name && u.record.region === t.region));
    for (const t of untouched) expect(weightOf(after, t.name, t.region)).toBe(t.weight);
    const apiTotal = after.traffic.filter((t) => t.name === 'api.example.com').reduce((n, t) => n + t.weight, 0);
    expect(after.traffic.find((t) => t.name === 'api.example.com' && t.region === 'us-west-2')?.share).toBe(150 / apiTotal);

    const canary = after.warnings.find((w) => w.code === 'RECORD_UNKNOWN_SET_IDENTIFIER');
    expect(canary?.message).toContain(`(${CANARY.weight})`);
    const record = recordOf(after, 'api.example.com', 'us-west-2');
    expect([record.ttl, record.resourceRecords]).toEqual([recordOf(initial, 'api.example.com', 'us-west-2').ttl, recordOf(initial, 'api.example.com', 'us-west-2').resourceRecords]);
  });

  it('reads back no weight for a record set that does not exist', async () => {
    const ghost = { ...recordOf(initial, 'api.example.com', 'us-east-1'), setIdentifier: 'ap-south-1', region: 'ap-south-1' };
    expect(await cloud.readWeights([ghost])).toEqual([undefined]);
  });
});
