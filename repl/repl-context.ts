import { userInfo } from 'node:os';
import { inspect } from 'node:util';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { Route53Client } from '@aws-sdk/client-route-53';
import { ROUTE53_REGION } from '../src/cloud/aws/aws-clients';
import type { ModelCatalog } from '../src/core/models/capacity-model';
import { progressBar } from '../src/text/progress-bar';
import { ERROR_CATALOG, isLifeboatError } from '../src/core/errors';
import type { Problem } from '../src/core/errors';
import type { FleetSnapshot, RegionCode } from '../src/core/fleet';
import { intentSchema } from '../src/core/intents';
import { modelMath } from '../src/core/models/model-math';
import type { Plan } from '../src/core/planner/plan-types';
import { renderPlan } from '../src/text/plan-text';
import { formatTable } from '../src/text/table';
import type { Redis } from 'ioredis';
import { cancelOperation } from '../src/operations/activity';
import { approveRun } from '../src/runbooks/approve-run';
import { takeSnapshot } from '../src/operations/fleet-snapshot';
import type { RunbookDeps } from '../src/runbooks/action-context';
import type { CapacityProgress, OperationRequest, OperationState, StepRecord } from '../src/operations/operation-types';
import { FINISHED_STATES } from '../src/operations/operation-types';
import type { OperationView } from '../src/operations/operation-views';
import { planRequest } from '../src/operations/plan-request';
import type { OperationFilter } from '../src/operations/activity';
import { getOperation, listOperations } from '../src/operations/activity';
import { submitOperation } from '../src/operations/submit-operation';
import { parseOrThrow } from '../src/operations/validation';

/**
 * What the on-call REPL puts in scope. Every change goes through submitOperation, the same
 * path as the API, so locks, audit and idempotency hold; this file only adds printing,
 * polling and short names.
 */

type RequestOf<K extends OperationRequest['kind']> = Extract<OperationRequest, { kind: K }>;
/** Options of a request: everything but the kind, the positional arguments and dryRun (use plan() for that). */
export type EvacuateOptions = Omit<RequestOf<'evacuate'>, 'kind' | 'region' | 'dryRun'>;
export type ShiftOptions = Omit<RequestOf<'shift'>, 'kind' | 'from' | 'percent' | 'dryRun'>;
export type RestoreOptions = Omit<RequestOf<'restore'>, 'kind' | 'region' | 'dryRun'>;
export type ScaleOptions = Omit<RequestOf<'scale'>, 'kind' | 'region' | 'service' | 'desiredCapacity' | 'dryRun'>;

export interface WaitOptions {
  /** Give up watching (the operation goes on) after this long; by default watch until it ends. */
  timeoutMs?: number;
  /** Print steps, capacity bars and weights as they happen; default true. */
  progress?: boolean;
}

/** A submitted operation, as the REPL hands it back. */
export interface OperationHandle {
  readonly id: string;
  /** The latest state read (submission, refresh() or wait()). */
  readonly state: OperationState;
  /** The latest view read. */
  readonly view: OperationView;
  refresh(): Promise<OperationView>;
  /** Poll until the operation ends (or stopWatching / the timeout); resolves to the last view read. */
  wait(options?: WaitOptions): Promise<OperationView>;
  /** Ask it to stop at its next safe point; with rollback, weights and then capacity go back. */
  cancel(options?: { rollback?: boolean }): Promise<OperationView>;
}

export interface AwsReplClients {
  autoScaling: Record<RegionCode, AutoScalingClient>;
  ec2: Record<RegionCode, EC2Client>;
  route53: Route53Client;
}

export interface ReplContext {
  fleet(): Promise<FleetSnapshot>;
  plan(intent: unknown): Promise<Plan>;
  evacuate(region: RegionCode, options?: EvacuateOptions): Promise<OperationHandle>;
  shift(from: RegionCode, percent: number, options?: ShiftOptions): Promise<OperationHandle>;
  restore(region: RegionCode, options?: RestoreOptions): Promise<OperationHandle>;
  scale(region: RegionCode, service: string, desiredCapacity: number, options?: ScaleOptions): Promise<OperationHandle>;
  ops(filter?: OperationFilter | OperationState): Promise<OperationView[]>;
  op(id: string): Promise<OperationView>;
  /** A handle on an operation started elsewhere (the API, a runbook), to wait on or cancel. */
  watch(id: string, options?: WaitOptions): Promise<OperationView>;
  /** Cancel any operation by id (the API's POST /v1/operations/:id/cancel). */
  cancel(id: string, options?: { rollback?: boolean }): Promise<OperationView>;
  /** Approve (or reject) the approve step a runbook run is paused at, as this REPL's user. */
  approve(id: string, options?: { comment?: string; reject?: boolean }): Promise<OperationView>;
  /** Print a value as indented JSON (the REPL shows plans, views and snapshots as one-line summaries). */
  json(value: unknown): void;
  help(): void;
  models: ModelCatalog;
  math: typeof modelMath;
  aws: AwsReplClients;
  redis: Redis;
  lb: ReplLifeboat;
  deps: RunbookDeps;
}

/** What the REPL needs of the lifeboat it runs in (src/app's Lifeboat is one, with more for the improvising hand). */
export interface ReplLifeboat {
  deps: RunbookDeps;
  redis: Redis;
}

export interface ReplContextOptions {
  /** Recorded on every operation: repl:<user>. */
  actor: string;
  /** Where printing goes; console.log by default. */
  out?: (text: string) => void;
  /** How often wait() polls; default 250 ms. */
  pollMs?: number;
}

const POLL_MS = 250;
const BAR_WIDTH = 10;
const ASCII_BAR = { fill: '#', empty: '-' };

const STOP_WATCHING = Symbol('lifeboat.repl.stopWatching');
const CLOSE = Symbol('lifeboat.repl.close');

/** Who the REPL acts as: LIFEBOAT_USER, else the OS user. */
export function replActor(env: Record<string, string | undefined> = process.env): string {
  let user = env.LIFEBOAT_USER;
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = env.USER ?? 'unknown';
    }
  }
  return `repl:${user}`;
}

/** `LB_ERR_X: message` and the hint on the next line: how the REPL shows a refusal. */
export function formatLifeboatError(e: { code: string; message: string; hint?: string }): string {
  const hint = e.hint ?? (ERROR_CATALOG as Record<string, { hint: string } | undefined>)[e.code]?.hint;
  return `${e.code}: ${e.message}${hint ? `\n  hint: ${hint}` : ''}`;
}

/** Stop every wait() in progress (Ctrl+C in the REPL): they resolve with the last view; the operations go on. */
export function stopWatching(ctx: ReplContext): void {
  (ctx as unknown as Record<symbol, (() => void) | undefined>)[STOP_WATCHING]?.();
}

/** Stop watching and close the AWS clients the context made; the Lifeboat itself is the caller's. */
export function closeReplContext(ctx: ReplContext): void {
  (ctx as unknown as Record<symbol, (() => void) | undefined>)[CLOSE]?.();
}

export function createAwsClients(regions: readonly RegionCode[]): AwsReplClients {
  return {
    autoScaling: Object.fromEntries(regions.map((region) => [region, new AutoScalingClient({ region })])),
    ec2: Object.fromEntries(regions.map((region) => [region, new EC2Client({ region })])),
    route53: new Route53Client({ region: ROUTE53_REGION }),
  };
}

function destroyAwsClients(aws: AwsReplClients): void {
  for (const c of Object.values(aws.autoScaling)) c.destroy();
  for (const c of Object.values(aws.ec2)) c.destroy();
  aws.route53.destroy();
}

/** The REPL shows these values as one line; their fields are all still there. */
function summarized<T extends object>(value: T, summary: () => string): T {
  Object.defineProperty(value, inspect.custom, { value: summary, enumerable: false, configurable: true });
  return value;
}

const pct = (share: number) => `${(share * 100).toFixed(1)}%`;

function capacityLines(capacity: readonly CapacityProgress[]): string[] {
  return capacity.map((c) => `      ${progressBar(c.inService, c.target, BAR_WIDTH, ASCII_BAR)} ${c.inService}/${c.target} ${c.group}${c.group.includes(c.region) ? '' : ` (${c.region})`}`);
}

function weightLines(weights: ReadonlyArray<{ name: string; region: RegionCode; weight: number; from?: number }>): string[] {
  const byName = new Map<string, string[]>();
  for (const w of weights) {
    const shown = w.from !== undefined && w.from !== w.weight ? `${w.from}→${w.weight}` : String(w.weight);
    byName.set(w.name, [...(byName.get(w.name) ?? []), `${w.region} ${shown}`]);
  }
  return [...byName].map(([name, parts]) => `      weights ${name}: ${parts.join(', ')}`);
}

function describeRequest(request: Record<string, unknown>): string {
  switch (request.kind) {
    case 'evacuate':
    case 'restore':
      return `${String(request.kind)} ${String(request.region)}`;
    case 'shift': {
      const to = request.to === undefined ? '' : ` to ${[request.to].flat().join(', ')}`;
      return `shift ${String(request.percent)}% from ${String(request.from)}${to}`;
    }
    case 'scale':
      return `scale ${String(request.service)} in ${String(request.region)} to ${String(request.desiredCapacity)}`;
    default:
      return String(request.kind);
  }
}

function outcomeOf(view: OperationView): string {
  if (view.result) return view.result.summary;
  if (view.error) return `${view.error.code}: ${view.error.message}`;
  return describeRequest(view.request);
}

function viewSummary(view: OperationView): string {
  const outcome = view.result?.summary ?? (view.error ? `${view.error.code}: ${view.error.message}` : undefined);
  return `Operation ${view.id} (${describeRequest(view.request)} by ${view.actor}): ${view.state}${outcome ? ` — ${outcome}` : ''}`;
}

function problemLines(problem: Problem): string[] {
  return [`  ${formatLifeboatError(problem)}`];
}

const STEP_MARK: Record<StepRecord['state'], string> = { pending: ' ', running: '…', succeeded: '✓', failed: '✗', skipped: '-' };

/**
 * Prints an operation's progress as polls come in: each step once when it ends (with its
 * capacity bars or weights), the running step's live progress when it changes, and the end.
 */
class ProgressPrinter {
  private readonly printedSteps = new Set<string>();
  private lastState: OperationState | undefined;
  private starting = true;
  private lastProgressAt: string | undefined;
  private readonly lastBars = new Map<string, string>();

  constructor(private readonly out: (text: string) => void) {}

  /** A new wait(): say where the operation is; steps already printed are not printed again. */
  begin(): void {
    this.starting = true;
  }

  update(view: OperationView): void {
    const lines: string[] = [];
    if (this.starting) lines.push(`${view.id} ${describeRequest(view.request)}: ${view.state}`);
    else if (view.state !== this.lastState && !FINISHED_STATES.includes(view.state)) lines.push(`  ${view.id} is ${view.state}`);
    this.starting = false;
    this.lastState = view.state;
    for (const step of view.steps) {
      if (this.printedSteps.has(step.id) || !['succeeded', 'failed', 'skipped'].includes(step.state)) continue;
      this.printedSteps.add(step.id);
      lines.push(`  ${STEP_MARK[step.state]} ${step.id}${step.outcome ? `: ${step.outcome}` : ''}`);
      if (step.error) lines.push(`      ${formatLifeboatError(step.error).replace('\n', '\n    ')}`);
      const capacity = step.detail?.capacity as CapacityProgress[] | undefined;
      if (step.kind === 'await-capacity' && Array.isArray(capacity)) lines.push(...this.bars(step.id, capacity));
      if (step.kind === 'apply-weights' && step.state === 'succeeded') {
        const stage = view.plan?.stages.find((s) => s.index === step.stage);
        if (stage) lines.push(...weightLines(stage.weights.map((w) => ({ name: w.name, region: w.region, weight: w.to, from: w.from }))));
      }
    }
    const p = view.progress;
    const running = view.steps.find((s) => s.state === 'running');
    if (p && p.at !== this.lastProgressAt && running && p.step === running.id) {
      this.lastProgressAt = p.at;
      lines.push(`  … ${p.step}: ${p.message}`);
      if (p.capacity) lines.push(...this.bars(p.step, p.capacity));
      if (p.weights) lines.push(...weightLines(p.weights));
    }
    if (FINISHED_STATES.includes(view.state)) lines.push(this.ending(view));
    if (lines.length > 0) this.out(lines.join('\n'));
  }

  /** Capacity bars, unless the same ones were just printed for this step. */
  private bars(stepId: string, capacity: readonly CapacityProgress[]): string[] {
    const lines = capacityLines(capacity);
    const key = lines.join('\n');
    if (this.lastBars.get(stepId) === key) return [];
    this.lastBars.set(stepId, key);
    return lines;
  }

  private ending(view: OperationView): string {
    const head = `${view.id} ${view.state}`;
    if (view.state === 'succeeded') return `${head}: ${view.result?.summary ?? 'done'}`;
    if (view.error) return [`${head}:`, ...problemLines(view.error)].join('\n');
    return head;
  }
}

export function createReplContext(lb: ReplLifeboat, options: ReplContextOptions): ReplContext {
  const out = options.out ?? ((text: string) => console.log(text));
  const pollMs = options.pollMs ?? POLL_MS;
  const { deps } = lb;
  const actor = options.actor;
  const watchers = new Set<() => void>();
  let aws: AwsReplClients | undefined;
  const awsClients = () => (aws ??= createAwsClients(deps.settings.LIFEBOAT_REGIONS));

  const sleepOrStop = (ms: number, stopped: { now: boolean }) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        watchers.delete(stop);
        resolve();
      };
      const stop = () => {
        stopped.now = true;
        done();
      };
      const timer = setTimeout(done, ms);
      watchers.add(stop);
    });

  function handleOf(first: OperationView): OperationHandle {
    let view = first;
    const printer = new ProgressPrinter(out);
    const handle: OperationHandle = {
      id: first.id,
      get state() {
        return view.state;
      },
      get view() {
        return view;
      },
      async refresh() {
        view = await getOperation(handle.id, deps);
        return summarized(view, () => viewSummary(view));
      },
      async wait(waitOptions = {}) {
        const progress = waitOptions.progress !== false;
        if (progress) printer.begin();
        const deadline = waitOptions.timeoutMs === undefined ? Infinity : Date.now() + waitOptions.timeoutMs;
        const stopped = { now: false };
        for (;;) {
          view = await getOperation(handle.id, deps);
          if (progress) printer.update(view);
          if (FINISHED_STATES.includes(view.state)) return summarized(view, () => viewSummary(view));
          if (stopped.now) {
            out(`stopped watching ${view.id}; it is still ${view.state}. await watch('${view.id}') watches again, await cancel('${view.id}') stops it.`);
            return summarized(view, () => viewSummary(view));
          }
          if (Date.now() >= deadline) {
            throw new Error(`${view.id} is still ${view.state} after ${waitOptions.timeoutMs} ms (it goes on; wait() again or cancel() it)`);
          }
          await sleepOrStop(Math.min(pollMs, deadline - Date.now()), stopped);
        }
      },
      async cancel(cancelOptions = {}) {
        view = await cancelOperation(handle.id, { by: actor, rollback: cancelOptions.rollback ?? false }, deps);
        out(`cancel requested for ${view.id}${cancelOptions.rollback ? ' (with rollback)' : ''}: it stops at its next safe point; it is ${view.state}`);
        return summarized(view, () => viewSummary(view));
      },
    };
    return summarized(handle, () => `${viewSummary(view)}  — .wait() .refresh() .cancel({rollback}) .view`);
  }

  async function submit(body: Record<string, unknown>): Promise<OperationHandle> {
    const submitted = await submitOperation(body, { actor }, deps);
    if (submitted.dryRun) {
      // Only reachable from untyped REPL input: a dry run returns the plan, as plan() does.
      out(renderPlan(submitted.plan));
      return summarized(submitted.plan, () => planSummary(submitted.plan)) as unknown as OperationHandle;
    }
    const { operation } = submitted;
    const workers = await deps.queue.workersCount().catch(() => undefined);
    out(
      `submitted ${operation.id}: ${describeRequest(operation.request)} as ${actor} (${operation.state}).` +
        (workers === 0 ? '\n  no worker is connected: it stays queued until one runs (npm run worker, or the REPL with --with-worker).' : ''),
    );
    return handleOf(operation);
  }

  function planSummary(plan: Plan): string {
    const verdict = plan.blockers.length > 0 ? `BLOCKED (${plan.blockers.map((b) => b.code).join(', ')})` : `ready: ${plan.groupChanges.length} group change(s), ${plan.stages.length} stage(s)`;
    return `Plan { ${describeRequest(plan.intent as unknown as Record<string, unknown>)}: ${verdict} — .services .groupChanges .stages .warnings .blockers }`;
  }

  const ctx: ReplContext = {
    async fleet() {
      const [snapshot, evacuated] = await Promise.all([takeSnapshot(deps.cloud), deps.store.evacuatedRegions(deps.settings.LIFEBOAT_REGIONS)]);
      const regionOrder = new Map(snapshot.regions.map((r, i) => [r, i]));
      const rows = [...snapshot.capacity]
        .sort((a, b) => (regionOrder.get(a.region) ?? 0) - (regionOrder.get(b.region) ?? 0) || a.service.localeCompare(b.service))
        .map((c) => {
          const traffic = snapshot.traffic.find((t) => t.name === c.trafficName && t.region === c.region);
          return [c.region, c.service, c.inService, c.desiredCapacity, `${c.minSize}–${c.maxSize}`, traffic ? String(traffic.weight) : '-', traffic ? pct(traffic.share) : '-'];
        });
      const lines = [`Fleet at ${snapshot.takenAt}: ${snapshot.regions.join(', ')}`];
      lines.push(rows.length > 0 ? formatTable(['region', 'service', 'in service', 'desired', 'min–max', 'weight', 'share'], rows) : '  no managed groups');
      if (evacuated.length > 0) lines.push(`Evacuated (on record, restore() brings back): ${evacuated.join(', ')}`);
      if (snapshot.warnings.length > 0) {
        lines.push(`Warnings (${snapshot.warnings.length}):`, ...snapshot.warnings.slice(0, 10).map((w) => `  - ${w.code}: ${w.message}`));
        if (snapshot.warnings.length > 10) lines.push(`  … ${snapshot.warnings.length - 10} more in .warnings`);
      }
      out(lines.join('\n'));
      return summarized(
        snapshot,
        () => `FleetSnapshot { ${snapshot.regions.length} region(s), ${snapshot.groups.length} group(s), ${snapshot.records.length} record(s), ${snapshot.warnings.length} warning(s) — .capacity .traffic .groups .records }`,
      );
    },

    async plan(intent) {
      const { plan } = await planRequest(parseOrThrow(intentSchema, intent), deps);
      out(renderPlan(plan));
      return summarized(plan, () => planSummary(plan));
    },

    evacuate: (region, o = {}) => submit({ ...o, kind: 'evacuate', region }),
    shift: (from, percent, o = {}) => submit({ ...o, kind: 'shift', from, percent }),
    restore: (region, o = {}) => submit({ ...o, kind: 'restore', region }),
    scale: (region, service, desiredCapacity, o = {}) => submit({ ...o, kind: 'scale', region, service, desiredCapacity }),

    async ops(filter = {}) {
      const views = await listOperations(typeof filter === 'string' ? { state: [filter] } : filter, deps);
      out(
        views.length === 0
          ? 'no operations'
          : formatTable(
              ['id', 'kind', 'state', 'actor', 'created', 'summary'],
              views.map((v) => [v.id, v.kind, v.state, v.actor, v.createdAt.replace(/\.\d+Z$/, 'Z'), outcomeOf(v).slice(0, 100)]),
            ),
      );
      return summarized(views, () => `[${views.length} operation(s), listed above]`);
    },

    async op(id) {
      const view = await getOperation(id, deps);
      const lines = [viewSummary(view), `  regions ${view.regions.join(', ')}; created ${view.createdAt}${view.finishedAt ? `, finished ${view.finishedAt}` : ''}${view.forced ? '; FORCED' : ''}`];
      if (view.steps.length > 0) {
        lines.push(formatTable(['', 'step', 'state', 'attempts', 'outcome'], view.steps.map((s) => [STEP_MARK[s.state], s.id, s.state, s.attempts, s.outcome ?? s.error?.message ?? ''])));
      }
      if (view.error && view.state !== 'succeeded') lines.push(...problemLines(view.error));
      out(lines.join('\n'));
      return summarized(view, () => viewSummary(view));
    },

    async watch(id, waitOptions) {
      return handleOf(await getOperation(id, deps)).wait(waitOptions);
    },

    async cancel(id, cancelOptions) {
      return handleOf(await getOperation(id, deps)).cancel(cancelOptions);
    },

    async approve(id, approveOptions = {}) {
      const view = await approveRun(
        id,
        { by: options.actor, decision: approveOptions.reject ? 'reject' : 'approve', ...(approveOptions.comment ? { comment: approveOptions.comment } : {}) },
        deps,
      );
      out(`${approveOptions.reject ? 'rejected' : 'approved'} ${id} as ${options.actor}; it goes on from its approve step`);
      return summarized(view, () => viewSummary(view));
    },

    json(value) {
      out(JSON.stringify(value, null, 2));
    },

    help() {
      out(HELP);
    },

    models: deps.models,
    math: modelMath,
    get aws() {
      return awsClients();
    },
    redis: lb.redis,
    lb,
    deps,
  };
  Object.defineProperty(ctx, STOP_WATCHING, {
    enumerable: false,
    value: () => {
      for (const stop of [...watchers]) stop();
    },
  });
  Object.defineProperty(ctx, CLOSE, {
    enumerable: false,
    value: () => {
      for (const stop of [...watchers]) stop();
      if (aws) destroyAwsClients(aws);
      aws = undefined;
    },
  });
  return ctx;
}

/** Whether a value is a LifeboatError (or looks like one after crossing a vm context). */
export function isRefusal(e: unknown): e is { code: string; message: string; hint: string } {
  if (isLifeboatError(e)) return true;
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'LifeboatError' && typeof (e as { code?: unknown }).code === 'string';
}

const HELP = `lifeboat REPL: every change goes through the same queue, region locks and audit as the API.
  await fleet()                                        capacity and traffic share per region and service
  await plan({kind: 'evacuate', region: 'us-east-1'})  the plan as tables; changes nothing
      kinds: evacuate {region}, shift {from, percent, to?}, restore {region}, scale {region, service, desiredCapacity}
  const ev = await evacuate('us-east-1', {stages: 3, reason: 'AZ outage'})   (options as in the API request)
  await shift('us-east-1', 50, {to: 'us-west-2'})     await restore('us-east-1')     await scale('us-west-2', 'api', 12)
  await ev.wait()      steps, capacity bars and weights as they happen (Ctrl+C stops watching, not the operation)
  ev.state   await ev.refresh()   await ev.cancel({rollback: true})
  await ops()   await ops('running')   await op(id)   await watch(id)   await cancel(id, {rollback: true})
  await approve(id, {comment: 'go'})   a runbook run paused at an approve step goes on ({reject: true} refuses it)
  models   math   aws.autoScaling['us-east-1']   aws.ec2[region]   aws.route53   redis   deps   lb
  json(x)    any value as JSON (plans, operations and snapshots print as one-line summaries)
Refusals print as CODE: message and a hint; nothing was changed. Don't name a variable op, fleet, plan...: they are commands.`;
