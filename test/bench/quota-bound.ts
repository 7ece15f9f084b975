/**
 * The least time AWS's token buckets allow for a set of calls: per bucket, what does not fit
 * in the burst arrives at the refill rate, (calls − burst) / refill seconds; the evacuation
 * cannot finish before its slowest bucket, plus the latency of the calls that must follow
 * one another (read the fleet, change, confirm, stage by stage).
 */
export interface Bucket {
  name: string;
  burst: number;
  refillPerSecond: number;
  calls: number;
}

export function bucketSeconds(b: Bucket): number {
  return Math.max(0, b.calls - b.burst) / b.refillPerSecond;
}

export interface EvacuationShape {
  /** Regions the groups are in, with how many groups each has and how many the evacuation changes. */
  regions: Array<{ region: string; groups: number; changed: number }>;
  zones: number;
  /** All record sets in the managed zones (the fleet read pages through them). */
  records: number;
  /** Record sets whose weight changes, per stage, per zone (one zone here). */
  recordsChangedPerStage: number[];
  latencyMs: number;
}

/** The minimal calls an evacuation needs, in AWS's quota buckets (defaults of the realism issue). */
export function evacuationBuckets(shape: EvacuationShape): Bucket[] {
  const buckets: Bucket[] = shape.regions.map((r) => ({
    name: `autoscaling ${r.region}`,
    burst: 20,
    refillPerSecond: 5,
    // One fleet page per 100 groups, one update per changed group, one confirmation page per 50 of them.
    calls: Math.ceil(r.groups / 100) + r.changed + Math.ceil(r.changed / 50),
  }));
  const batches = shape.recordsChangedPerStage.map((n) => Math.ceil((2 * n) / 1000));
  buckets.push({
    name: 'route53 (account)',
    burst: 50,
    refillPerSecond: 10,
    // List zones, their tags, the record pages; per stage its change batches and one GetChange each.
    calls: 1 + Math.ceil(shape.zones / 10) + Math.ceil(shape.records / 300) + batches.reduce((a, b) => a + 2 * b, 0),
  });
  return buckets;
}

export function quotaBoundSeconds(shape: EvacuationShape): { seconds: number; buckets: Array<Bucket & { seconds: number }> } {
  const buckets = evacuationBuckets(shape).map((b) => ({ ...b, seconds: bucketSeconds(b) }));
  // Calls that must follow one another: read, change, confirm, then per stage change and confirm.
  const chain = 3 + 2 * shape.recordsChangedPerStage.length;
  return { seconds: Math.max(...buckets.map((b) => b.seconds)) + (chain * shape.latencyMs) / 1000, buckets };
}
