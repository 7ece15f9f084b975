import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
  ListTagsForResourcesCommand,
  paginateListHostedZones,
} from '@aws-sdk/client-route-53';
import { LifeboatError } from '../../core/errors';
import type { HostedZoneReading, RecordSetReading, WeightedRecord } from '../../core/fleet';
import { TAG_MANAGED_ZONE } from '../../core/fleet';
import { normalizeDnsName, recordSetKey } from '../../core/snapshot';
import type { ChangeStatus, TrafficChange, WeightUpdate } from '../ports';
import type { AwsClients } from './aws-clients';
import { ROUTE53_REGION } from './aws-clients';
import { awsCall, awsPages } from './aws-errors';
import type { ChangeBatchPlan } from './route53-batches';
import { planChangeBatches } from './route53-batches';

/** Where lifeboat calls Route 53: finding managed zones, reading records, upserting weights. */

/** ListTagsForResources takes at most this many ids a request. */
const ZONES_PER_TAG_REQUEST = 10;
/** MaxItems caps: ListHostedZones 100, ListResourceRecordSets 300. */
const LIST_ZONES_MAX_ITEMS = 100;
const LIST_RECORDS_MAX_ITEMS = 300;

const r53 = (action: string) => ({ service: 'route53' as const, region: ROUTE53_REGION, action });

const stripPrefix = (id: string, prefix: 'hostedzone' | 'change') => id.replace(new RegExp(`^/?${prefix}/`), '');

function toRecordSetReading(zone: { zoneId: string; zoneName: string }, r: ResourceRecordSet): RecordSetReading {
  return {
    zoneId: zone.zoneId,
    zoneName: zone.zoneName,
    name: r.Name ?? '',
    type: r.Type ?? '',
    ...(r.SetIdentifier !== undefined ? { setIdentifier: r.SetIdentifier } : {}),
    ...(r.Weight !== undefined ? { weight: r.Weight } : {}),
    ...(r.TTL !== undefined ? { ttl: r.TTL } : {}),
    ...(r.ResourceRecords ? { resourceRecords: r.ResourceRecords.map((v) => v.Value ?? '') } : {}),
    ...(r.AliasTarget
      ? {
          aliasTarget: {
            hostedZoneId: r.AliasTarget.HostedZoneId ?? '',
            dnsName: r.AliasTarget.DNSName ?? '',
            evaluateTargetHealth: r.AliasTarget.EvaluateTargetHealth ?? false,
          },
        }
      : {}),
    ...(r.HealthCheckId !== undefined ? { healthCheckId: r.HealthCheckId } : {}),
  };
}

interface RecordPosition {
  name: string;
  type: string;
  identifier?: string;
}

/**
 * Pages through a zone's record sets from `start`, handing each page to `visit` until it
 * returns false or the listing ends. Record sets seen before are skipped: an endpoint that
 * ignores StartRecordIdentifier (moto) restarts a page at the first record of a name and
 * type; if it makes no progress at all, that is an error rather than an endless loop.
 * Hand-written because the SDK has no paginator for it (its position is three fields).
 */
async function listRecordSets(
  clients: AwsClients,
  zoneId: string,
  pageSize: number,
  start: RecordPosition | undefined,
  visit: (records: ResourceRecordSet[]) => boolean,
): Promise<void> {
  const seen = new Set<string>();
  let position = start;
  for (;;) {
    const page = await awsCall(r53('ListResourceRecordSets'), () =>
      clients.route53.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          MaxItems: Math.min(pageSize, LIST_RECORDS_MAX_ITEMS),
          ...(position ? { StartRecordName: position.name, StartRecordType: position.type as ResourceRecordSet['Type'] } : {}),
          ...(position?.identifier ? { StartRecordIdentifier: position.identifier } : {}),
        }),
      ),
    );
    const fresh = (page.ResourceRecordSets ?? []).filter((r) => {
      const key = `${r.Name}\u0000${r.Type}\u0000${r.SetIdentifier ?? ''}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    if (!visit(fresh) || !page.IsTruncated || !page.NextRecordName) return;
    const next: RecordPosition = {
      name: page.NextRecordName,
      type: page.NextRecordType ?? '',
      ...(page.NextRecordIdentifier ? { identifier: page.NextRecordIdentifier } : {}),
    };
    if (fresh.length === 0) {
      throw new LifeboatError(
        'LB_ERR_AWS_REJECTED',
        `Route 53 ListResourceRecordSets in zone ${zoneId} returned the same page again (next ${next.name} ${next.type}); more record sets share one name and type than fit a page and the endpoint ignores StartRecordIdentifier. Use a larger page size.`,
        { ...r53('ListResourceRecordSets'), awsCode: 'PaginationStalled', awsMessage: 'No new record sets on a truncated page', zoneId },
      );
    }
    position = next;
  }
}

async function listAllZones(clients: AwsClients, pageSize: number): Promise<Array<{ zoneId: string; zoneName: string }>> {
  const zones: Array<{ zoneId: string; zoneName: string }> = [];
  const pages = paginateListHostedZones({ client: clients.route53, pageSize: Math.min(pageSize, LIST_ZONES_MAX_ITEMS) }, {});
  for await (const page of awsPages(r53('ListHostedZones'), pages)) {
    for (const z of page.HostedZones ?? []) {
      if (z.Id && z.Name) zones.push({ zoneId: stripPrefix(z.Id, 'hostedzone'), zoneName: z.Name.replace(/\.$/, '') });
    }
  }
  return zones;
}

/** Hosted zones tagged lifeboat:managed=true, with every record set they hold. */
export async function readManagedZones(clients: AwsClients, pageSize: number): Promise<HostedZoneReading[]> {
  const zones = await listAllZones(clients, pageSize);
  const chunks: Array<typeof zones> = [];
  for (let i = 0; i < zones.length; i += ZONES_PER_TAG_REQUEST) chunks.push(zones.slice(i, i + ZONES_PER_TAG_REQUEST));
  const managedIds = new Set<string>();
  for (const chunk of chunks) {
    const tagged = await awsCall(r53('ListTagsForResources'), () =>
      clients.route53.send(new ListTagsForResourcesCommand({ ResourceType: 'hostedzone', ResourceIds: chunk.map((z) => z.zoneId) })),
    );
    for (const set of tagged.ResourceTagSets ?? []) {
      const managed = (set.Tags ?? []).some((t) => t.Key === TAG_MANAGED_ZONE && t.Value?.trim().toLowerCase() === 'true');
      if (managed && set.ResourceId) managedIds.add(stripPrefix(set.ResourceId, 'hostedzone'));
    }
  }
  return Promise.all(
    zones
      .filter((z) => managedIds.has(z.zoneId))
      .map(async (zone) => {
        const records: RecordSetReading[] = [];
        const account = clients.account !== undefined ? { account: clients.account } : {};
        await listRecordSets(clients, zone.zoneId, pageSize, undefined, (page) => {
          for (const r of page) records.push({ ...account, ...toRecordSetReading(zone, r) });
          return true;
        });
        return { ...account, ...zone, records };
      }),
  );
}

async function submitBatch(clients: AwsClients, batch: ChangeBatchPlan): Promise<TrafficChange> {
  const out = await awsCall(r53('ChangeResourceRecordSets'), () =>
    clients.route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: batch.zoneId,
        ChangeBatch: { Comment: 'lifeboat: set weights', Changes: batch.changes },
      }),
    ),
  );
  const info = out.ChangeInfo;
  return {
    changeId: stripPrefix(info?.Id ?? '', 'change'),
    zoneId: batch.zoneId,
    records: batch.changes.length,
    status: info?.Status === 'INSYNC' ? 'INSYNC' : 'PENDING',
    ...(info?.SubmittedAt ? { submittedAt: info.SubmittedAt.toISOString() } : {}),
  };
}

/**
 * Upserts the weights: one zone's batches one after another (Route 53 answers concurrent
 * changes to a zone with PriorRequestNotComplete), different zones in parallel. If a batch
 * fails, the error lists in details.submittedChanges the batches that did go through.
 */
export async function upsertWeights(clients: AwsClients, updates: readonly WeightUpdate[]): Promise<TrafficChange[]> {
  const batches = planChangeBatches(updates);
  if (batches.length === 0) return [];
  const zoneIds = [...new Set(batches.map((b) => b.zoneId))];
  const submitted = new Map<string, TrafficChange[]>(zoneIds.map((z) => [z, []]));
  const results = await Promise.allSettled(
    zoneIds.map(async (zoneId) => {
      for (const batch of batches.filter((b) => b.zoneId === zoneId)) {
        submitted.get(zoneId)!.push(await submitBatch(clients, batch));
      }
    }),
  );
  const changes = zoneIds.flatMap((z) => submitted.get(z)!);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    const e: unknown = failed.reason;
    if (e instanceof LifeboatError) {
      throw new LifeboatError(e.code, e.message, { ...e.details, submittedChanges: changes });
    }
    throw e;
  }
  return changes;
}

export async function readChangeStatus(clients: AwsClients, changeId: string): Promise<ChangeStatus> {
  const out = await awsCall(r53('GetChange'), () => clients.route53.send(new GetChangeCommand({ Id: stripPrefix(changeId, 'change') })));
  return out.ChangeInfo?.Status === 'INSYNC' ? 'INSYNC' : 'PENDING';
}

/** Reading back this many names or more in one zone lists the whole zone instead of name by name. */
const WHOLE_ZONE_READ_FROM = 4;

/**
 * The current weights of the given record sets, in the order given; undefined where a record
 * set is gone. A few names are read name by name (one short listing each); many names in one
 * zone are read by listing the zone once, which costs a page per 300 record sets instead of
 * a call per name against Route 53's quota.
 */
export async function readRecordWeights(clients: AwsClients, records: readonly WeightedRecord[], pageSize: number): Promise<Array<number | undefined>> {
  const groupKey = (r: { zoneId: string; name: string; type: string }) => `${r.zoneId}\u0000${normalizeDnsName(r.name)}\u0000${r.type}`;
  const byZone = new Map<string, Map<string, WeightedRecord>>();
  for (const r of records) {
    const groups = byZone.get(r.zoneId) ?? new Map<string, WeightedRecord>();
    const key = groupKey(r);
    if (!groups.has(key)) groups.set(key, r);
    byZone.set(r.zoneId, groups);
  }

  const weights = new Map<string, number | undefined>();
  const keep = (zoneId: string, r: ResourceRecordSet) => {
    if (r.SetIdentifier !== undefined) weights.set(recordSetKey({ zoneId, name: r.Name ?? '', type: r.Type ?? '', setIdentifier: r.SetIdentifier }), r.Weight);
  };
  await Promise.all(
    [...byZone.entries()].map(async ([zoneId, groups]) => {
      if (groups.size >= WHOLE_ZONE_READ_FROM) {
        await listRecordSets(clients, zoneId, pageSize, undefined, (page) => {
          for (const r of page) keep(zoneId, r);
          return true;
        });
        return;
      }
      await Promise.all(
        [...groups.values()].map(async (first) => {
          const name = normalizeDnsName(first.name);
          await listRecordSets(clients, zoneId, pageSize, { name: first.name, type: first.type }, (page) => {
            for (const r of page) {
              if (normalizeDnsName(r.Name ?? '') !== name || r.Type !== first.type) return false;
              keep(zoneId, r);
            }
            return true;
          });
        }),
      );
    }),
  );
  return records.map((r) => weights.get(recordSetKey(r)));
}
