import type { EventEmitter } from 'node:events';
import type { Queue } from 'bullmq';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CallTotals } from '../../cloud/call-tally';
import type { ReachabilityCheck } from '../../cloud/ports';
import type { ReadinessReport } from '../../core/readiness';
import { withDeadline } from '../../operations/deadline';
import type { OperationEvent } from '../../operations/ports/operation-events';

/**
 * lifeboat's Prometheus metrics. What happens in operations comes from the in-process
 * operation events (so a process counts the operations its workers run); what is true now
 * (queue depth, the readiness report, AWS call counts) is read on each scrape, with a
 * deadline so that a scrape answers even when Redis does not. Node's own process metrics
 * (process_*, nodejs_*) come with it.
 */

export interface MetricsSources {
  /** The in-process operation events (OperationEvents.local). */
  events: EventEmitter;
  /** The queues to count jobs in. */
  queues(): Queue[];
  /** The AWS adapter's call totals (its AwsCallStats), when this process talks to AWS through it. */
  awsStats?: CallTotals;
  /** The latest N+1 readiness report. */
  readiness(): Promise<ReadinessReport | undefined>;
  /** How long a scrape waits for Redis before answering without what it could not read. */
  timeoutMs: number;
  /** Whether each AWS endpoint answers (shared probes), and how long a probe may take. */
  awsEndpoints?: { checks(): Promise<ReachabilityCheck[]>; timeoutMs: number };
  now?: () => number;
}

const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Job states counted per queue (lifeboat_queue_jobs). */
const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/** Step durations run from well under a second (guard) to many minutes (awaiting capacity, dwell). */
const STEP_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

/** Seconds to relief and to mitigation: from a few seconds (headroom moved at once) to the better part of an hour (waiting for launches). */
const RELIEF_BUCKETS = [1, 2, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600];
/** Share-seconds on the failing region, summed over its names: a third of the traffic for ten minutes is 200. */
const IMPACT_BUCKETS = [0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];

let processRegistry: Registry | undefined;

/** Node's process metrics, once per process whatever the number of lifeboats in it (tests make many). */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

type Labels = Record<string, string>;

export class LifeboatMetrics {
  readonly registry = new Registry();
  private readonly now: () => number;

  private readonly operations = new Counter({
    name: 'lifeboat_operations_total',
    help: 'Operations finished, by kind (evacuate, shift, restore, scale, runbook) and outcome (succeeded, failed, refused, cancelled).',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly inProgress = new Gauge({
    name: 'lifeboat_operations_in_progress',
    help: "Operations this process's workers are running now, by kind.",
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  private readonly stepDuration = new Histogram({
    name: 'lifeboat_step_duration_seconds',
    help: 'How long steps took, by operation kind, step kind (prescale, await-capacity, apply-weights, ...; a runbook step: its action) and outcome (succeeded, failed, skipped).',
    labelNames: ['kind', 'step', 'outcome'] as const,
    buckets: STEP_BUCKETS,
    registers: [this.registry],
  });
  private readonly firstRelief = new Histogram({
    name: 'lifeboat_evacuation_first_relief_seconds',
    help: "Evacuations finished: seconds from acceptance until the first weight change off the failing region took effect (Route 53 in sync), by pace (capacity, stages) and outcome.",
    labelNames: ['pace', 'outcome'] as const,
    buckets: RELIEF_BUCKETS,
    registers: [this.registry],
  });
  private readonly mitigation = new Histogram({
    name: 'lifeboat_evacuation_mitigate_seconds',
    help: 'Evacuations that brought the failing region to 0 on every name: seconds from acceptance until the last took effect, by pace and outcome.',
    labelNames: ['pace', 'outcome'] as const,
    buckets: RELIEF_BUCKETS,
    registers: [this.registry],
  });
  private readonly impact = new Histogram({
    name: 'lifeboat_evacuation_impact_share_seconds',
    help: "Evacuations finished: the failing region's traffic share integrated over time from acceptance (share-seconds, summed over its names), by pace and outcome.",
    labelNames: ['pace', 'outcome'] as const,
    buckets: IMPACT_BUCKETS,
    registers: [this.registry],
  });
  private readonly capacityInService = new Gauge({
    name: 'lifeboat_capacity_in_service_instances',
    help: 'During an operation that waits for capacity: instances InService per Auto Scaling group (removed when the operation ends).',
    labelNames: ['region', 'service', 'group'] as const,
    registers: [this.registry],
  });
  private readonly capacityTarget = new Gauge({
    name: 'lifeboat_capacity_target_instances',
    help: 'During an operation that waits for capacity: the instances it waits for per Auto Scaling group (removed when the operation ends).',
    labelNames: ['region', 'service', 'group'] as const,
    registers: [this.registry],
  });
  private readonly awsCalls = new Counter({
    name: 'lifeboat_aws_calls_total',
    help: "AWS API calls finished by this process, by service, region, action and outcome: ok (answered, the SDK's retries included), throttled (failed for good on throttling), failed (failed for good otherwise).",
    labelNames: ['service', 'region', 'action', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly awsAttempts = new Counter({
    name: 'lifeboat_aws_attempts_total',
    help: 'HTTP attempts of AWS API calls (first attempts and retries), by service, region and action.',
    labelNames: ['service', 'region', 'action'] as const,
    registers: [this.registry],
  });
  private readonly awsRetries = new Counter({
    name: 'lifeboat_aws_retries_total',
    help: 'Attempts beyond the first of each AWS API call (the SDK retrying), by service, region and action.',
    labelNames: ['service', 'region', 'action'] as const,
    registers: [this.registry],
  });
  private readonly awsThrottles = new Counter({
    name: 'lifeboat_aws_throttles_total',
    help: 'Attempts AWS answered with a throttling error (most are retried), by service, region and action.',
    labelNames: ['service', 'region', 'action'] as const,
    registers: [this.registry],
  });
  private readonly queueJobs = new Gauge({
    name: 'lifeboat_queue_jobs',
    help: 'Jobs in each queue (operations, runbooks, maintenance) by state: waiting, active, delayed, failed.',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
  });
  private readonly queueOldest = new Gauge({
    name: 'lifeboat_queue_oldest_waiting_seconds',
    help: 'Age of the oldest job waiting in each queue (since it was added, or its delay ended); 0 when none waits.',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });
  private readonly headroom = new Gauge({
    name: 'lifeboat_readiness_headroom_instances',
    help: 'N+1 readiness, from the latest report: if `region` were evacuated, the smallest headroom (instances obtainable minus needed) of any survivor of `service`; negative is a shortfall.',
    labelNames: ['region', 'service'] as const,
    registers: [this.registry],
  });
  private readonly ready = new Gauge({
    name: 'lifeboat_readiness_ready',
    help: 'N+1 readiness, from the latest report: 1 when the other regions could absorb `region` now, else 0.',
    labelNames: ['region'] as const,
    registers: [this.registry],
  });
  private readonly readinessAt = new Gauge({
    name: 'lifeboat_readiness_computed_timestamp_seconds',
    help: 'When the latest N+1 readiness report was computed (Unix time), and with which capacity model; absent while there is no report.',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });
  private readonly refusedUnauthenticated = new Counter({
    name: 'lifeboat_unauthenticated_requests_total',
    help: 'Requests refused before anyone was identified (each counted here; the audit trail samples them), by reason: no_token, unknown_token, unknown_session, bad_trigger_signature.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly awsEndpointUp = new Gauge({
    name: 'lifeboat_aws_endpoint_up',
    help: 'Whether an AWS endpoint lifeboat needs answered its probe (one cheap call, short deadline, shared a few seconds): 1 yes, 0 no; by service (route53, autoscaling) and region.',
    labelNames: ['service', 'region'] as const,
    registers: [this.registry],
  });
  private readonly sourceUp = new Gauge({
    name: 'lifeboat_metrics_source_up',
    help: 'Whether this scrape could read a source (queues, readiness) in time: 1 yes, 0 no (its metrics are then left out).',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });

  /** The capacity gauges' label sets each operation set, to remove them when it ends. */
  private readonly capacityOf = new Map<string, Map<string, Labels>>();
  private readonly running = new Map<string, string>();
  private readonly kindsSeen = new Set<string>();
  private readonly stepStarts = new Map<string, number>();
  /** Retries are attempts − calls; a call waiting for its first attempt makes that dip, so it only ever rises. */
  private readonly retriesSeen = new Map<string, number>();
  private readonly listener = (event: OperationEvent) => {
    try {
      this.observe(event);
    } catch {
      // Metrics are a view: a malformed event must never disturb the operation that sent it.
    }
  };

  constructor(private readonly sources: MetricsSources) {
    this.now = sources.now ?? (() => Date.now());
    sources.events.on('event', this.listener);
    processMetrics();
  }

  /** A request refused before anyone was identified (src/api/unauthenticated-refusals.ts). */
  countUnauthenticated(reason: string): void {
    this.refusedUnauthenticated.inc({ reason });
  }

  /** Stop listening to operation events. */
  close(): void {
    this.sources.events.off('event', this.listener);
  }

  /** What GET /metrics answers: everything, read now. Never throws for a source that is down. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    await Promise.all([this.readQueues(), this.readReadiness(), this.readAwsEndpoints()]);
    this.readAwsStats();
    // Kinds seen once stay, at 0 when none runs, so a dashboard's series does not vanish.
    for (const kind of this.kindsSeen) this.inProgress.set({ kind }, [...this.running.values()].filter((k) => k === kind).length);
    const body = (await processMetrics().metrics()) + (await this.registry.metrics());
    return { contentType: METRICS_CONTENT_TYPE, body };
  }

  private observe(event: OperationEvent): void {
    const data = event.data;
    const at = Date.parse(event.at);
    switch (event.type) {
      case 'operation.started':
        this.running.set(event.operationId, event.kind);
        this.kindsSeen.add(event.kind);
        break;
      case 'step.started':
        if (typeof data.step === 'string' && Number.isFinite(at)) this.stepStarts.set(`${event.operationId}\u0000${data.step}`, at);
        break;
      case 'step.finished': {
        const key = `${event.operationId}\u0000${String(data.step)}`;
        const startedAt = this.stepStarts.get(key);
        this.stepStarts.delete(key);
        // The runner says how long the step took (across a takeover, too); older events may not.
        const ms = typeof data.durationMs === 'number' ? data.durationMs : startedAt !== undefined && Number.isFinite(at) ? at - startedAt : undefined;
        if (ms === undefined || ms < 0) break;
        this.stepDuration.observe({ kind: event.kind, step: String(data.kind ?? 'unknown'), outcome: String(data.state ?? 'unknown') }, ms / 1000);
        break;
      }
      case 'capacity.progress': {
        const rows = Array.isArray(data.capacity) ? (data.capacity as Array<Record<string, unknown>>) : [];
        const mine = this.capacityOf.get(event.operationId) ?? new Map<string, Labels>();
        this.capacityOf.set(event.operationId, mine);
        for (const row of rows) {
          const labels = { region: String(row.region), service: String(row.service), group: String(row.group) };
          if (typeof row.inService === 'number') this.capacityInService.set(labels, row.inService);
          if (typeof row.target === 'number') this.capacityTarget.set(labels, row.target);
          mine.set(`${labels.region}\u0000${labels.group}`, labels);
        }
        break;
      }
      case 'operation.error':
        // Retried later, maybe by another worker: what this process showed is no longer current.
        this.forget(event.operationId);
        break;
      case 'operation.finished':
        this.operations.inc({ kind: event.kind, outcome: String(data.state ?? 'unknown') });
        this.observeRelief(data);
        this.forget(event.operationId);
        break;
      default:
        break;
    }
  }

  /** An evacuation's relief figures, as its finished event carries them (run-operation's finish). */
  private observeRelief(data: Record<string, unknown>): void {
    const relief = data.relief as { firstReliefSeconds?: unknown; mitigateSeconds?: unknown; impactShareSeconds?: unknown; pace?: unknown } | undefined;
    if (!relief || typeof relief !== 'object') return;
    const labels = { pace: String(relief.pace ?? 'unknown'), outcome: String(data.state ?? 'unknown') };
    if (typeof relief.firstReliefSeconds === 'number') this.firstRelief.observe(labels, relief.firstReliefSeconds);
    if (typeof relief.mitigateSeconds === 'number') this.mitigation.observe(labels, relief.mitigateSeconds);
    if (typeof relief.impactShareSeconds === 'number') this.impact.observe(labels, relief.impactShareSeconds);
  }

  private forget(operationId: string): void {
    this.running.delete(operationId);
    for (const labels of this.capacityOf.get(operationId)?.values() ?? []) {
      this.capacityInService.remove(labels);
      this.capacityTarget.remove(labels);
    }
    this.capacityOf.delete(operationId);
    for (const key of this.stepStarts.keys()) if (key.startsWith(`${operationId}\u0000`)) this.stepStarts.delete(key);
  }

  private readAwsStats(): void {
    const stats = this.sources.awsStats;
    if (!stats) return;
    // Counters set from the adapter's own running totals (they only ever rise).
    this.awsCalls.reset();
    this.awsAttempts.reset();
    this.awsRetries.reset();
    this.awsThrottles.reset();
    for (const c of stats.outcomes()) {
      for (const [outcome, n] of Object.entries(c.outcomes)) if (n > 0) this.awsCalls.inc({ service: c.service, region: c.region, action: c.action, outcome }, n);
    }
    for (const c of stats.snapshot()) {
      const labels = { service: c.service, region: c.region, action: c.action };
      const key = `${c.service}\u0000${c.region}\u0000${c.action}`;
      const retries = Math.max(this.retriesSeen.get(key) ?? 0, c.attempts - c.calls);
      this.retriesSeen.set(key, retries);
      this.awsAttempts.inc(labels, c.attempts);
      this.awsRetries.inc(labels, retries);
      this.awsThrottles.inc(labels, c.throttles);
    }
  }

  private async readQueues(): Promise<void> {
    let read: Array<{ name: string; counts: Record<string, number>; ageSeconds: number }> | undefined;
    try {
      const queues = this.sources.queues();
      read = await withDeadline(
        Promise.all(
          queues.map(async (queue) => {
            const [counts, oldest] = await Promise.all([queue.getJobCounts(...QUEUE_STATES), queue.getJobs(['waiting'], 0, 0, true)]);
            const job = oldest[0];
            const since = job ? job.timestamp + (job.opts?.delay ?? 0) : undefined;
            return { name: queue.name, counts, ageSeconds: since !== undefined ? Math.max(0, (this.now() - since) / 1000) : 0 };
          }),
        ),
        this.sources.timeoutMs,
        'queues',
      );
    } catch {
      read = undefined; // the source is down: its series go, and lifeboat_source_up says so
    }
    this.queueJobs.reset();
    this.queueOldest.reset();
    for (const q of read ?? []) {
      for (const state of QUEUE_STATES) this.queueJobs.set({ queue: q.name, state }, q.counts[state] ?? 0);
      this.queueOldest.set({ queue: q.name }, q.ageSeconds);
    }
    this.sourceUp.set({ source: 'queues' }, read ? 1 : 0);
  }

  private async readReadiness(): Promise<void> {
    let report: ReadinessReport | undefined;
    let answered = false; // a source that answers may have no report yet
    try {
      report = await withDeadline(this.sources.readiness(), this.sources.timeoutMs, 'readiness');
      answered = true;
    } catch {
      // the source is down: its series go, and lifeboat_source_up says so
    }
    this.headroom.reset();
    this.ready.reset();
    this.readinessAt.reset();
    if (report) {
      for (const region of report.regions) {
        this.ready.set({ region: region.region }, region.ready ? 1 : 0);
        for (const service of region.services) {
          if (service.survivors.length === 0) continue;
          this.headroom.set({ region: region.region, service: service.service }, Math.min(...service.survivors.map((s) => s.headroom)));
        }
      }
      const at = Date.parse(report.computedAt);
      if (Number.isFinite(at)) this.readinessAt.set({ model: report.model }, at / 1000);
    }
    this.sourceUp.set({ source: 'readiness' }, answered ? 1 : 0);
  }

  /** Each endpoint's probe ends at its own deadline (a hung endpoint is down, not a hung scrape): wait that, a little more. */
  private async readAwsEndpoints(): Promise<void> {
    const source = this.sources.awsEndpoints;
    if (!source) return;
    let checks: ReachabilityCheck[] | undefined;
    try {
      checks = await withDeadline(source.checks(), source.timeoutMs + 500, 'aws endpoints');
    } catch {
      checks = undefined;
    }
    this.awsEndpointUp.reset();
    for (const c of checks ?? []) this.awsEndpointUp.set({ service: c.service, region: c.region }, c.ok ? 1 : 0);
    this.sourceUp.set({ source: 'aws_endpoints' }, checks ? 1 : 0);
  }
}
