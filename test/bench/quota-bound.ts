/**
 * The least time AWS's token buckets allow for a set of calls: per bucket, what does not fit
 * in the burst arrives at the refill rate, (calls − burst) / refill seconds; the evacuation
 * cannot finish before its slowest bucket, plus the latency of the calls that must follow
 * one another (read the fleet, change, confirm, stage by stage), plus the capacity wait the
 * fault profile imposes (a launch delay is a floor no quota changes).
 *
 * The calls are those the evacuation's steps make (pace "stages", src/operations/steps),
 * counted per bucket and per action, so the bench can set them beside what the proxy saw in
 * the same run: a bound that counts fewer calls than lifeboat makes measures nothing.
 */
export interface Bucket {
  name: string;
  burst: number;
  refillPerSecond: number;
  calls: number;
  /** The calls by action, as the steps make them. */
  actions?: Record<string, number>;
}

export function bucketSeconds(b: Bucket): number {
  return Math.max(0, b.calls - b.burst) / b.refillPerSecond;
}

export interface EvacuationShape {
  /** Regions the groups are in, with how many groups each has and how many the evacuation changes (grows and pins). */
  regions: Array<{ region: string; groups: number; changed: number }>;
  zones: number;
  /** All record sets in the managed zones (the fleet read pages through them). */
  records: number;
  /** Record sets whose weight changes, per stage, per zone (one zone here). */
  recordsChangedPerStage: number[];
  latencyMs: number;
  /** Launch and warm-up the fault profile imposes on a new instance (0 when it imposes none). */
  capacityFloorSeconds?: number;
}

/** AWS's quotas as the proxy enforces them (src/sandbox/proxy/proxy-profile.ts DEFAULT_QUOTAS). */
const QUOTAS = {
  autoscaling: { burst: 20, refillPerSecond: 5 },
  ec2: { burst: 100, refillPerSecond: 20 },
  route53: { burst: 50, refillPerSecond: 10 },
  // The proxy does not throttle CloudWatch; lifeboat's own bucket for GetMetricData (rate-limiter.ts) is this.
  monitoring: { burst: 20, refillPerSecond: 10 },
};
/** Group names per DescribeAutoScalingGroups (aws-auto-scaling.ts), groups per fleet page, records per Route 53 page, changes per batch. */
const NAMES_PER_DESCRIBE = 50;
const GROUPS_PER_PAGE = 100;
const RECORDS_PER_PAGE = 300;
const CHANGES_PER_BATCH = 1000;
/** Groups whose pins one CreateOrUpdateTags (or DeleteTags) carries: 25 tags a request, 3 a pin (aws-auto-scaling.ts PINS_PER_REQUEST). */
const PINS_PER_TAG_REQUEST = 8;

function bucket(name: string, quota: { burst: number; refillPerSecond: number }, actions: Record<string, number>): Bucket {
  const kept = Object.fromEntries(Object.entries(actions).filter(([, n]) => n > 0));
  return { name, ...quota, calls: Object.values(kept).reduce((a, n) => a + n, 0), actions: kept };
}

/**
 * The calls an evacuation paced in stages makes, in AWS's quota buckets, step by step:
 * - submission (API): the fleet read (per region its group pages, its scheduled actions, the
 *   launch templates' types and their zones, the instances' status, the load; Route 53's zones,
 *   their tags and record pages) and the instance refreshes of the groups the plan grows
 *   (one call per group). The guard plans on that read and those refreshes (steps/guard.ts).
 * - prescale: the changed groups read (sizes only), per group SuspendProcesses
 *   (ScheduledActions) and UpdateAutoScalingGroup, and before the resizes the pin records,
 *   8 groups a CreateOrUpdateTags.
 * - await-capacity: one read of the changed groups with their instances' status (the fewest:
 *   every group at capacity on the first read).
 * - per stage: one change batch per 1000 changes and its read-back, one GetChange per batch
 *   (in sync on the first ask); the dwell's capacity check (one, the fewest) and the verify's,
 *   each a read of the groups that gained, with their instances' status.
 * An evacuation keeps its pins: it has no finalize.
 */
export function evacuationBuckets(shape: EvacuationShape): Bucket[] {
  const stages = shape.recordsChangedPerStage.length;
  const buckets: Bucket[] = [];
  for (const r of shape.regions) {
    const named = Math.ceil(r.changed / NAMES_PER_DESCRIBE);
    // Reads of the changed groups with their instances' status: the capacity wait's, then each stage's dwell and verify.
    const liveReads = r.changed > 0 ? 1 + 2 * stages : 0;
    buckets.push(
      bucket(`autoscaling ${r.region}`, QUOTAS.autoscaling, {
        DescribeAutoScalingGroups: Math.ceil(r.groups / GROUPS_PER_PAGE) + (r.changed > 0 ? named : 0) + liveReads * named,
        DescribeScheduledActions: r.groups > 0 ? 1 : 0,
        DescribeInstanceRefreshes: r.changed,
        SuspendProcesses: r.changed,
        CreateOrUpdateTags: Math.ceil(r.changed / PINS_PER_TAG_REQUEST),
        UpdateAutoScalingGroup: r.changed,
      }),
    );
    buckets.push(
      bucket(`ec2 ${r.region}`, QUOTAS.ec2, {
        DescribeLaunchTemplateVersions: r.groups > 0 ? 1 : 0,
        DescribeInstanceTypeOfferings: r.groups > 0 ? 1 : 0,
        DescribeInstanceStatus: (r.groups > 0 ? 1 : 0) + liveReads,
      }),
    );
    // The fleet read's load: one GetMetricData per region (up to 500 metrics).
    buckets.push(bucket(`monitoring ${r.region}`, QUOTAS.monitoring, { GetMetricData: r.groups > 0 ? 1 : 0 }));
  }
  const batches = shape.recordsChangedPerStage.map((n) => Math.ceil((2 * n) / CHANGES_PER_BATCH));
  const pages = Math.ceil(shape.records / RECORDS_PER_PAGE);
  buckets.push(
    bucket('route53 (account)', QUOTAS.route53, {
      ListHostedZones: 1,
      ListTagsForResources: Math.ceil(shape.zones / 10),
      // The fleet read's pages, and each stage's read-back of what it set.
      ListResourceRecordSets: pages + stages * shape.zones,
      ChangeResourceRecordSets: batches.reduce((a, b) => a + b, 0),
      GetChange: batches.reduce((a, b) => a + b, 0),
    }),
  );
  return buckets;
}

export function quotaBoundSeconds(shape: EvacuationShape): { seconds: number; chainSeconds: number; capacityFloorSeconds: number; buckets: Array<Bucket & { seconds: number }> } {
  const buckets = evacuationBuckets(shape).map((b) => ({ ...b, seconds: bucketSeconds(b) }));
  // Calls that must follow one another: read, refreshes, prescale read, suspend, pin, resize, capacity read; per stage change, read back, confirm, dwell and verify reads.
  const chainSeconds = ((7 + 5 * shape.recordsChangedPerStage.length) * shape.latencyMs) / 1000;
  const capacityFloorSeconds = shape.capacityFloorSeconds ?? 0;
  return { seconds: Math.max(...buckets.map((b) => b.seconds)) + chainSeconds + capacityFloorSeconds, chainSeconds, capacityFloorSeconds, buckets };
}

/**
 * What the proxy saw, in the same buckets (calls answered; a throttled attempt is not a call
 * the evacuation needed), for setting beside the bound's count.
 */
export function proxyCallsByBucket(counters: ReadonlyArray<{ service: string; region: string; action: string; outcome: string; count: number }>): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const c of counters) {
    if (c.outcome !== 'ok') continue;
    const name = c.service === 'route53' ? 'route53 (account)' : `${c.service} ${c.region}`;
    out[name] ??= {};
    out[name][c.action] = (out[name][c.action] ?? 0) + c.count;
  }
  return out;
}
