import type { Change, ResourceRecordSet } from '@aws-sdk/client-route-53';
import { LifeboatError } from '../../core/errors';
import { recordSetKey } from '../../core/snapshot';
import type { WeightUpdate } from '../ports';

/**
 * Route 53 change batches for weight updates: every UPSERT carries the full record set (the
 * record as read, with its new weight), and each ChangeResourceRecordSets request stays
 * within Route 53's limits, an UPSERT counting twice against both:
 *   at most 1,000 ResourceRecord elements  (a record's values, or 1 for an alias), and
 *   at most 32,000 characters of Value text.
 * Worked example: 600 single-value UPSERTs count 2 each, so they go as 500 + 100.
 */

const MAX_RECORDS_PER_BATCH = 1000;
const MAX_VALUE_CHARS_PER_BATCH = 32_000;
const UPSERT_FACTOR = 2;

export interface ChangeBatchPlan {
  zoneId: string;
  changes: Change[];
  /** ResourceRecord elements the batch counts against the 1,000 limit. */
  recordElements: number;
  /** Value characters the batch counts against the 32,000 limit. */
  valueChars: number;
}

/** The UPSERT that sets one weighted record to its new weight and leaves the rest of it as it was. */
function upsertFor(update: WeightUpdate): Change {
  const r = update.record;
  const hasValues = r.resourceRecords !== undefined && r.resourceRecords.length > 0;
  if (!hasValues && !r.aliasTarget) {
    throw new LifeboatError(
      'LB_ERR_VALIDATION',
      `Weighted ${r.type} record ${r.name} (set ${r.setIdentifier}) in zone ${r.zoneName} has neither values nor an alias target; lifeboat upserts whole record sets and cannot write it.`,
      { zoneId: r.zoneId, name: r.name, type: r.type, setIdentifier: r.setIdentifier },
    );
  }
  if (!Number.isInteger(update.weight) || update.weight < 0 || update.weight > 255) {
    throw new LifeboatError('LB_ERR_VALIDATION', `Weight for ${r.name} (set ${r.setIdentifier}) must be a whole number from 0 to 255 (got ${update.weight}).`, {
      zoneId: r.zoneId,
      name: r.name,
      setIdentifier: r.setIdentifier,
      weight: update.weight,
    });
  }
  const set: ResourceRecordSet = {
    Name: r.name,
    Type: r.type as ResourceRecordSet['Type'],
    SetIdentifier: r.setIdentifier,
    Weight: update.weight,
    ...(r.aliasTarget
      ? { AliasTarget: { HostedZoneId: r.aliasTarget.hostedZoneId, DNSName: r.aliasTarget.dnsName, EvaluateTargetHealth: r.aliasTarget.evaluateTargetHealth } }
      : { TTL: r.ttl ?? 60, ResourceRecords: (r.resourceRecords ?? []).map((Value) => ({ Value })) }),
    ...(r.healthCheckId ? { HealthCheckId: r.healthCheckId } : {}),
  };
  return { Action: 'UPSERT', ResourceRecordSet: set };
}

function cost(change: Change): { recordElements: number; valueChars: number } {
  const set = change.ResourceRecordSet;
  const values = set?.ResourceRecords ?? [];
  const elements = set?.AliasTarget ? 1 : values.length;
  const chars = values.reduce((n, v) => n + (v.Value?.length ?? 0), 0);
  const factor = change.Action === 'UPSERT' ? UPSERT_FACTOR : 1;
  return { recordElements: elements * factor, valueChars: chars * factor };
}

/**
 * Batches per hosted zone, in the order the zones and updates first appear. Repeating an
 * update is harmless; two different weights for one record set are refused.
 */
export function planChangeBatches(updates: readonly WeightUpdate[]): ChangeBatchPlan[] {
  const unique = new Map<string, WeightUpdate>();
  for (const u of updates) {
    const key = recordSetKey(u.record);
    const seen = unique.get(key);
    if (seen && seen.weight !== u.weight) {
      throw new LifeboatError(
        'LB_ERR_VALIDATION',
        `Two weights (${seen.weight} and ${u.weight}) for ${u.record.type} ${u.record.name} (set ${u.record.setIdentifier}) in one change; Route 53 takes one change per record set.`,
        { zoneId: u.record.zoneId, name: u.record.name, type: u.record.type, setIdentifier: u.record.setIdentifier },
      );
    }
    if (!seen) unique.set(key, u);
  }

  const batches: ChangeBatchPlan[] = [];
  const open = new Map<string, ChangeBatchPlan>();
  for (const u of unique.values()) {
    const change = upsertFor(u);
    const c = cost(change);
    const zoneId = u.record.zoneId;
    let batch = open.get(zoneId);
    const fits =
      batch !== undefined &&
      batch.recordElements + c.recordElements <= MAX_RECORDS_PER_BATCH &&
      batch.valueChars + c.valueChars <= MAX_VALUE_CHARS_PER_BATCH;
    if (!batch || !fits) {
      batch = { zoneId, changes: [], recordElements: 0, valueChars: 0 };
      open.set(zoneId, batch);
      batches.push(batch);
    }
    batch.changes.push(change);
    batch.recordElements += c.recordElements;
    batch.valueChars += c.valueChars;
  }
  return batches;
}
