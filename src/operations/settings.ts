import { z } from 'zod';
import { regionCode } from '../core/intents';
import { LifeboatError } from '../core/errors';
import { outboundHostsProblem } from './outbound/outbound-policy';

/**
 * Everything lifeboat reads from the environment, in one place, validated at start.
 * Durations are in seconds unless the name says Ms.
 */
const seconds = (fallback: number) => z.coerce.number().min(0).default(fallback);
/** An on/off switch: true or 1, false or 0. */
const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'], { message: 'true or false (1 or 0)' })
    .optional()
    .transform((v) => (v === undefined ? fallback : v === 'true' || v === '1'));

/** What is wrong with a `host:port` (IPv6 in brackets: `[::1]:26379`), or undefined. */
function hostPortProblem(entry: string): string | undefined {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d+)$/.exec(entry);
  if (!m) return 'not host:port';
  const port = Number(m[2]);
  return port >= 1 && port <= 65535 ? undefined : 'port out of range 1-65535';
}

function parseHostPort(entry: string): { host: string; port: number } {
  const at = entry.lastIndexOf(':');
  return { host: entry.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(entry.slice(at + 1)) };
}

const settingsSchema = z.object({
  LIFEBOAT_REGIONS: z
    .string()
    .default('us-east-1,us-west-2,eu-west-1')
    .transform((s) => s.split(',').map((r) => r.trim()).filter(Boolean))
    .pipe(z.array(regionCode).min(1)),
  /** Several AWS accounts: a comma list of `id` (lifeboat's own credentials) or `id=roleArn` (the role it assumes there). */
  LIFEBOAT_ACCOUNTS: z.string().optional(),
  /** The same as a YAML or JSON file: [{id, roleArn?, externalId?}]. */
  LIFEBOAT_ACCOUNTS_FILE: z.string().optional(),
  REDIS_URL: z
    .string()
    .refine((s) => URL.canParse(s), 'a URL such as redis://127.0.0.1:6379')
    .default('redis://127.0.0.1:6379'),
  /**
   * Key prefix for everything lifeboat keeps in Redis (queues, leases, records). A hash tag
   * such as `{lifeboat}` puts every key in one cluster slot (docs/operating.md, "Redis").
   */
  LIFEBOAT_REDIS_PREFIX: z.string().min(1).default('lifeboat'),
  // --- Redis behind Sentinel, credentials and TLS (src/redis/redis-options.ts builds every connection from these)
  /** Sentinels to ask for the primary (host:port, comma list); set, REDIS_URL is not used. */
  REDIS_SENTINELS: z
    .string()
    .transform((s) => s.split(',').map((a) => a.trim()).filter(Boolean))
    .superRefine((list, ctx) => {
      if (list.length === 0) ctx.addIssue({ code: 'custom', message: 'a comma list of host:port, such as 10.0.1.5:26379,10.0.2.5:26379,10.0.3.5:26379' });
      for (const entry of list) {
        const problem = hostPortProblem(entry);
        if (problem) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(entry)}: ${problem}` });
      }
    })
    .transform((list) => list.map(parseHostPort))
    .optional(),
  /** The name the sentinels know the primary by (their `sentinel monitor <name> ...`). */
  REDIS_SENTINEL_NAME: z.string().regex(/^[\w.-]+$/, 'letters, digits, _ . and - only').optional(),
  /** Credentials for the sentinels themselves (their requirepass / ACL user), if they need any. */
  REDIS_SENTINEL_USERNAME: z.string().optional(),
  REDIS_SENTINEL_PASSWORD: z.string().optional(),
  /** Credentials for Redis (the primary); they override any in REDIS_URL. */
  REDIS_USERNAME: z.string().optional(),
  REDIS_PASSWORD: z.string().optional(),
  /** TLS to Redis (a rediss:// REDIS_URL means it too); REDIS_SENTINEL_TLS for the sentinels. */
  REDIS_TLS: flag(false),
  REDIS_SENTINEL_TLS: flag(false),
  /** A PEM file of the CA that signed Redis's (and the sentinels') certificates, when not a public one. */
  REDIS_TLS_CA_FILE: z.string().optional(),
  /** production: lifeboat refuses to start on a Redis without persistence, unless LIFEBOAT_ACCEPT_VOLATILE_REDIS. */
  NODE_ENV: z.string().optional(),
  /** Start in production on a Redis that keeps nothing across a restart (appendonly off, no RDB snapshots). */
  LIFEBOAT_ACCEPT_VOLATILE_REDIS: flag(false),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  LIFEBOAT_MODELS_DIR: z.string().optional(),
  /** measured sizes from CloudWatch load and falls back to proportional (instance counts) for a service without it. */
  LIFEBOAT_DEFAULT_MODEL: z.string().default('measured'),
  LIFEBOAT_DEFAULT_STAGES: z.coerce.number().int().min(1).max(20).default(2),
  /** MaxSize may grow to ceil(MaxSize × this) during a prescale; 1 never raises it. */
  LIFEBOAT_MAX_SIZE_GROWTH: z.coerce.number().min(1).max(10).default(1),
  /** A group counts as ready when InService ≥ target × readiness. */
  LIFEBOAT_READINESS: z.coerce.number().gt(0).max(1).default(0.95),
  LIFEBOAT_CAPACITY_TIMEOUT: seconds(900),
  LIFEBOAT_CAPACITY_POLL_MS: z.coerce.number().int().min(10).default(5000),
  LIFEBOAT_DNS_TIMEOUT: seconds(600),
  LIFEBOAT_DNS_POLL_MS: z.coerce.number().int().min(10).default(5000),
  /** Dwell after each stage: at least the record TTL, unless this overrides it (tests, demos). */
  LIFEBOAT_DWELL: z.coerce.number().min(0).optional(),
  /** What to do when capacity does not come in time: abort, or shift only what it can serve. */
  LIFEBOAT_ON_CAPACITY_TIMEOUT: z.enum(['abort', 'partial']).default('abort'),
  /** What a failed or cancelled operation does with the groups it pinned: let them go (unpin), or leave them pinned as a follow-up (keep). */
  LIFEBOAT_ON_FAILURE: z.enum(['unpin', 'keep']).default('unpin'),
  /** Region leases: how long one outlives a worker that stopped renewing it. */
  LIFEBOAT_LEASE_TTL: seconds(30),
  /** How long a queued operation holds its regions before a worker picks it up. */
  LIFEBOAT_QUEUED_LEASE_TTL: seconds(900),
  /** BullMQ job lock; a killed worker's job is taken over after about this long. */
  LIFEBOAT_JOB_LOCK_MS: z.coerce.number().int().min(500).default(30000),
  LIFEBOAT_STALLED_INTERVAL_MS: z.coerce.number().int().min(500).default(30000),
  LIFEBOAT_JOB_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(3),
  LIFEBOAT_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
  LIFEBOAT_IDEMPOTENCY_TTL: seconds(86400),
  /** Optional: unset, the SDK reads the profile's max_attempts, and lifeboat's default (8) applies only when that is unset too. */
  AWS_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).optional(),
  /** How old a fleet read may be for plans and views (an operation's guard reuses only a read at most 2 s old). */
  LIFEBOAT_SNAPSHOT_CACHE_MS: z.coerce.number().int().min(0).default(10000),
  /** An AWS call that gets no answer in this long fails (and is retried by the SDK). */
  LIFEBOAT_AWS_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(50).default(10000),
  LIFEBOAT_AWS_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(50).default(3000),
  /** Where the AWS quota buckets live: in Redis, shared by every lifeboat process (default), or in each process. */
  LIFEBOAT_AWS_RATE_LIMITER: z.enum(['redis', 'process']).default('redis'),
  /** Optional check after each stage: POSTed the stage; must answer 2xx with {"ok": true}. */
  LIFEBOAT_VERIFY_HOOK_URL: z.string().refine((s) => URL.canParse(s) && /^https?:/.test(s), 'an http(s) URL').optional(),
  LIFEBOAT_VERIFY_HOOK_TIMEOUT_MS: z.coerce.number().int().min(50).default(5000),
  LIFEBOAT_RUNBOOKS_DIR: z.string().optional(),
  /** How often a runbook step polls what it waits for (child operations, approvals, conditions). */
  LIFEBOAT_RUNBOOK_POLL_MS: z.coerce.number().int().min(10).default(1000),
  /** A step is flagged stuck when it runs this many times longer than its usual duration... */
  LIFEBOAT_STUCK_FACTOR: z.coerce.number().min(1).default(3),
  /** ...and longer than this (seconds), so quick steps are not flagged for noise. */
  LIFEBOAT_STUCK_MIN: seconds(60),
  /** Shared secret for HMAC-signed webhook triggers; triggers are refused without it. */
  LIFEBOAT_TRIGGER_SECRET: z.string().min(16).optional(),
  /** Least time between two triggered runs of the same runbook. */
  LIFEBOAT_TRIGGER_MIN_INTERVAL: seconds(600),
  /** A signed trigger older than this is refused (replay protection). */
  LIFEBOAT_TRIGGER_MAX_AGE: seconds(300),
  /** N+1 readiness is recomputed this often (seconds; 0 turns the schedule off). */
  LIFEBOAT_READINESS_INTERVAL: seconds(300),
  /** YAML list of runbook schedules: [{runbook, cron, params?, tz?}]. */
  LIFEBOAT_SCHEDULES_FILE: z.string().optional(),
  /** API tokens: a YAML/JSON file of [{name, sha256, roles}], and/or the same list inline as JSON. */
  LIFEBOAT_TOKENS_FILE: z.string().optional(),
  LIFEBOAT_TOKENS: z.string().optional(),
  /** Development only: no tokens needed, every caller is an anonymous admin. Said on every start. */
  LIFEBOAT_INSECURE_DEV: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /** Refuse an approval by the identity that started the run. */
  LIFEBOAT_TWO_PERSON_RULE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  LIFEBOAT_AUDIT_RETENTION_DAYS: z.coerce.number().min(1).max(3650).default(90),
  /** Mutating requests per token per minute (a token bucket with this burst). */
  LIFEBOAT_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(60),
  LIFEBOAT_RATE_LIMIT_BURST: z.coerce.number().int().min(1).default(20),
  /**
   * Metrics: a worker started alone (npm run worker) serves GET /metrics on this port when set.
   * There is no authentication on it, so it binds LIFEBOAT_WORKER_METRICS_HOST (loopback) by default.
   */
  LIFEBOAT_WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  LIFEBOAT_WORKER_METRICS_HOST: z.string().default('127.0.0.1'),
  /** How long a scrape waits for Redis (queue counts, the readiness report) before answering without them. */
  LIFEBOAT_METRICS_TIMEOUT_MS: z.coerce.number().int().min(50).max(30000).default(1000),
  /** Origins allowed to call the API from a browser (comma list); none by default. */
  LIFEBOAT_CORS_ORIGINS: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean)),
  /** How long a browser session (the dashboard's cookie) lasts before its owner must log in again. */
  LIFEBOAT_SESSION_TTL: z.coerce.number().int().min(60).default(12 * 3600),
  /** Event streams (GET /v1/operations/:id/events) one token may hold open at once, per API process. */
  LIFEBOAT_SSE_STREAMS_PER_TOKEN: z.coerce.number().int().min(1).default(20),
  /**
   * Where notify and the verify hook may send requests (src/operations/outbound): host names,
   * *.domain, addresses, ranges, each with an optional :port; `*` (the default) is any host
   * name. Loopback, link-local and private addresses only when an address or range lists them.
   */
  LIFEBOAT_OUTBOUND_HOSTS: z
    .string()
    .superRefine((s, ctx) => {
      const problem = outboundHostsProblem(s);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  /** Read each group's load from CloudWatch with the fleet (the measured model's input); false reads none. */
  LIFEBOAT_LOAD_METRICS: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  /** Seconds per load value read (CloudWatch period); divides an hour. */
  LIFEBOAT_LOAD_PERIOD_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(3600)
    .refine((p) => 3600 % p === 0, 'a divisor of 3600 of at least 60, such as 300 or 3600')
    .default(3600),
  /** Days of load history read for the peak ahead (the measured model's historyDays reads at most this many). */
  LIFEBOAT_LOAD_HISTORY_DAYS: z.coerce.number().int().min(1).max(14).default(7),
  /** How long reading one region's load may take before it counts as unreadable (sizing then estimates or falls back). */
  LIFEBOAT_LOAD_TIMEOUT_MS: z.coerce.number().int().min(50).default(5000),
  // --- Staying up through an outage (issue 13)
  /** On SIGTERM, how long a worker waits for its jobs to reach a safe point and go back to the queue. */
  LIFEBOAT_STOP_GRACE_MS: z.coerce.number().int().min(0).default(8000),
  /** Plans (and the fleet view) read each region within this; one that does not answer is planned from its last good reading. */
  LIFEBOAT_PLAN_READ_TIMEOUT_MS: z.coerce.number().int().min(100).default(3000),
  /**
   * Control regions of the region switches (at least two): a managed region's switch alarm
   * lives in the first of them that is not the region itself. By default LIFEBOAT_REGIONS.
   */
  LIFEBOAT_SWITCH_REGIONS: z
    .string()
    .transform((s) => [...new Set(s.split(',').map((r) => r.trim()).filter(Boolean))])
    .pipe(z.array(regionCode).min(2, 'at least two regions: a region\'s switch alarm lives in another one'))
    .optional(),
  /** An evacuation with fallback "switch" gives Route 53's change API this long before it turns the region's switch off instead. */
  LIFEBOAT_SWITCH_AFTER_MS: z.coerce.number().int().min(100).default(30000),
  /** GET /v1/status and lifeboat_aws_endpoint_up: how long an AWS endpoint has to answer its probe. */
  LIFEBOAT_AWS_PROBE_TIMEOUT_MS: z.coerce.number().int().min(50).default(1500),
}).superRefine((s, ctx) => {
  if (s.REDIS_SENTINELS && !s.REDIS_SENTINEL_NAME) {
    ctx.addIssue({ code: 'custom', path: ['REDIS_SENTINEL_NAME'], message: 'required with REDIS_SENTINELS: the name the sentinels monitor the primary under' });
  }
  if (s.REDIS_SENTINEL_NAME && !s.REDIS_SENTINELS) {
    ctx.addIssue({ code: 'custom', path: ['REDIS_SENTINELS'], message: 'required with REDIS_SENTINEL_NAME: the sentinels to ask for the primary (host:port, comma list)' });
  }
});

export type Settings = z.infer<typeof settingsSchema>;

/** What to do about a bad variable, when it says more than "fix it". */
const SETTING_HINTS: Record<string, string> = {
  REDIS_SENTINELS: 'Set REDIS_SENTINELS to every sentinel as host:port, comma-separated, and REDIS_SENTINEL_NAME to the master name they monitor (docs/operating.md, "Redis"); or unset both to use REDIS_URL.',
  REDIS_SENTINEL_NAME: 'Set REDIS_SENTINEL_NAME to the name in the sentinels\' `sentinel monitor <name> <host> <port> <quorum>` (SENTINEL MASTERS lists it), with REDIS_SENTINELS (docs/operating.md, "Redis").',
  REDIS_URL: 'Set REDIS_URL to redis://[user:password@]host:port[/db] (rediss:// for TLS), or use REDIS_SENTINELS (docs/operating.md, "Redis").',
  REDIS_TLS: 'Set it to true or false (1 or 0).',
  REDIS_SENTINEL_TLS: 'Set it to true or false (1 or 0).',
  LIFEBOAT_ACCEPT_VOLATILE_REDIS: 'Set it to true or false (1 or 0).',
};

export function loadSettings(env: Record<string, string | undefined> = process.env): Settings {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = settingsSchema.safeParse(clean);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? '');
    // Never echo a secret back.
    const value = /PASSWORD/.test(name) ? '(hidden)' : env[name];
    throw new LifeboatError('LB_ERR_VALIDATION', `environment variable ${name}: ${issue.message}`, { field: name, value }, SETTING_HINTS[name]);
  }
  return parsed.data;
}
