import { z } from 'zod';
import type { FieldIssue } from '../../operations/validation';
import { prototypeKeyIssue, zodIssues } from '../../operations/validation';

/**
 * What the proxy adds to moto, as data: latency, throttling quotas, launch and DNS delays,
 * capacity limits, 5xx bursts and unreachable regions. A profile arrives as JSON (a file,
 * the admin endpoint, or an object) and is normalized here: every section present, every
 * default filled in, so a profile read back says exactly what the proxy is doing.
 */

export const PROXY_SERVICES = ['autoscaling', 'ec2', 'route53'] as const;
export type ProxyService = (typeof PROXY_SERVICES)[number];

/** The four token buckets AWS documents: Route 53 (account-wide), EC2 non-mutating and mutating, Auto Scaling. */
const QUOTA_NAMES = ['route53', 'autoscaling', 'ec2NonMutating', 'ec2Mutating'] as const;
export type QuotaName = (typeof QUOTA_NAMES)[number];

export interface Quota {
  burst: number;
  refillPerSecond: number;
  /** 'region': a bucket per region; 'account': one bucket whatever the region. */
  scope: 'region' | 'account';
}

/** AWS's documented account quotas (Auto Scaling's is unpublished; 20 burst, 5/s is a common observation). */
export const DEFAULT_QUOTAS: Record<QuotaName, Quota> = {
  route53: { burst: 50, refillPerSecond: 10, scope: 'account' },
  autoscaling: { burst: 20, refillPerSecond: 5, scope: 'region' },
  ec2NonMutating: { burst: 100, refillPerSecond: 20, scope: 'region' },
  ec2Mutating: { burst: 50, refillPerSecond: 5, scope: 'region' },
};

const ms = z.number().nonnegative().finite();
const seconds = z.number().nonnegative().finite();
const serviceSchema = z.enum(PROXY_SERVICES);
const statusSchema = z.union([z.literal(500), z.literal(503)]);

const latencySchema = z.strictObject({ fixedMs: ms.default(0), jitterMs: ms.default(0) });

const quotaSchema = z.strictObject({
  burst: z.number().int().min(1),
  refillPerSecond: z.number().positive().finite(),
  scope: z.enum(['region', 'account']),
});

const partialQuota = quotaSchema.partial().optional();
const quotasSchema = z
  .strictObject({ route53: partialQuota, autoscaling: partialQuota, ec2NonMutating: partialQuota, ec2Mutating: partialQuota })
  .default({})
  .transform((partial) => {
    const full = {} as Record<QuotaName, Quota>;
    for (const q of QUOTA_NAMES) full[q] = { ...DEFAULT_QUOTAS[q], ...stripUndefined(partial[q] ?? {}) };
    return full;
  });

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const proxyProfileSchema = z.strictObject({
  name: z.string().min(1).default('custom'),
  /** Multiplies launch, warm-up and DNS propagation times (1/30 runs a 90 s launch in 3 s). */
  timeScale: z.number().positive().finite().default(1),
  latency: z
    .strictObject({
      fixedMs: ms.default(0),
      jitterMs: ms.default(0),
      /** Overrides for one service. */
      services: z.partialRecord(serviceSchema, latencySchema).default({}),
    })
    .prefault({}),
  throttling: z
    .strictObject({
      enabled: z.boolean().default(true),
      quotas: quotasSchema,
    })
    .prefault({ enabled: false }),
  launch: z
    .strictObject({
      /** Seconds from a capacity increase until a new instance has booted. */
      launchSeconds: seconds.default(0),
      /** Further seconds before it reports InService. */
      warmupSeconds: seconds.default(0),
      /** Seconds until an instance taken from a warm pool (already initialized, stopped) reports InService. */
      warmLaunchSeconds: seconds.default(0),
    })
    .prefault({}),
  dns: z.strictObject({ propagationSeconds: seconds.default(0) }).prefault({}),
  /** Regions or zones that can deliver at most this many more instances (counted from when the limit is set). */
  capacityLimits: z
    .array(
      z.strictObject({
        region: z.string().min(1),
        availabilityZone: z.string().min(1).optional(),
        maxNewInstances: z.number().int().nonnegative(),
      }),
    )
    .default([]),
  serverErrors: z
    .strictObject({
      /** The next `count` matching calls fail; bursts are used up in order. */
      bursts: z
        .array(
          z.strictObject({
            count: z.number().int().min(1),
            status: statusSchema.default(500),
            service: serviceSchema.optional(),
            region: z.string().min(1).optional(),
            action: z.string().min(1).optional(),
          }),
        )
        .default([]),
      /** Chance (0..1) that any call fails. */
      probability: z.number().min(0).max(1).default(0),
      status: statusSchema.default(503),
    })
    .prefault({}),
  /** What production groups carry that moto does not simulate: impaired instances, instance types a zone lacks, refreshes, launch hooks. */
  groups: z
    .strictObject({
      /** Instances whose EC2 status checks report impaired (DescribeInstanceStatus). */
      impairedInstances: z.array(z.string().min(1)).default([]),
      /** Instance types a region (or one zone) does not offer (DescribeInstanceTypeOfferings leaves them out). */
      instanceTypesNotOffered: z
        .array(z.strictObject({ region: z.string().min(1), availabilityZone: z.string().min(1).optional(), instanceType: z.string().min(1) }))
        .default([]),
      /** Instance refreshes under way: moto has none, so the proxy answers DescribeInstanceRefreshes itself. */
      instanceRefreshes: z
        .array(
          z.strictObject({
            region: z.string().min(1),
            group: z.string().min(1),
            status: z.enum(['Pending', 'InProgress', 'Cancelling', 'RollbackInProgress', 'Baking', 'Successful', 'Failed', 'Cancelled']).default('InProgress'),
            percentageComplete: z.number().int().min(0).max(100).default(0),
          }),
        )
        .default([]),
      /** A launch lifecycle hook holds new instances: they show Pending:Wait (not Pending) until they are in service. */
      launchHooksHold: z.boolean().default(false),
    })
    .prefault({}),
  /** AWS refusing calls for a while (ScalingActivityInProgress, ResourceContention, ...): the next `count` matching calls get the error. */
  rejections: z
    .array(
      z.strictObject({
        count: z.number().int().min(1),
        /** The AWS error code on the wire, e.g. ScalingActivityInProgress. */
        code: z.string().min(1),
        status: z.number().int().min(400).max(599).default(400),
        message: z.string().min(1).optional(),
        service: serviceSchema.optional(),
        region: z.string().min(1).optional(),
        action: z.string().min(1).optional(),
        /** Only calls naming this Auto Scaling group (AutoScalingGroupName). */
        group: z.string().min(1).optional(),
      }),
    )
    .default([]),
  /** Regions whose endpoint stops answering (all of it, or only the actions named). Route 53 only when named as the service. */
  unreachable: z
    .array(
      z.strictObject({
        region: z.string().min(1),
        service: serviceSchema.optional(),
        /** Only these actions (e.g. ChangeResourceRecordSets: Route 53's change API down while its reads and CloudWatch answer). */
        actions: z.array(z.string().min(1)).min(1).optional(),
        mode: z.enum(['hang', 'reset']).default('hang'),
      }),
    )
    .default([]),
});

/** A profile as written (every field optional). */
export type ProxyProfileInput = z.input<typeof proxyProfileSchema>;
/** A profile with every default filled in. */
export type ProxyProfile = z.output<typeof proxyProfileSchema>;
export type CapacityLimit = ProxyProfile['capacityLimits'][number];
export type UnreachableRegion = ProxyProfile['unreachable'][number];

/** A profile that failed validation, naming the first offending field. */
export class ProfileError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
    readonly issues: FieldIssue[],
  ) {
    super(`${field}: ${reason}`);
    this.name = 'ProfileError';
  }
}

export function parseProfile(input: unknown): ProxyProfile {
  const parsed = proxyProfileSchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issues = zodIssues(parsed.error, '(profile)');
  const first = issues[0] ?? { field: '(profile)', message: 'invalid' };
  throw new ProfileError(first.field, first.message, issues);
}

/**
 * `patch` merged into `base`: objects merge key by key, arrays and values replace. A
 * `__proto__` key (JSON.parse keeps it as an own key) is refused: merged, it would set the
 * prototype of the merged object rather than a field, and be ignored without a word.
 */
export function mergeProfile(base: ProxyProfile, patch: unknown): ProxyProfile {
  const prototypeKey = prototypeKeyIssue(patch);
  if (prototypeKey) throw new ProfileError(prototypeKey.field, prototypeKey.message, [prototypeKey]);
  return parseProfile(deepMerge(base, patch));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch === undefined ? base : patch;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) out[k] = deepMerge(base[k], v);
  return out;
}

/** The top-level sections a patch touches: setting a section arms its faults afresh. */
export function sectionsOf(patch: unknown): Set<keyof ProxyProfile> {
  return new Set(isPlainObject(patch) ? (Object.keys(patch) as Array<keyof ProxyProfile>) : []);
}
