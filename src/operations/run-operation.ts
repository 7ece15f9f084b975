import { CallTally, withCallTally } from '../cloud/call-tally';
import type { CheckpointHooks, CheckpointedRun, RunOutcome, RunnerStep, StepAttempt, StepEnd } from './checkpoint-runner';
import { RunStopped, publishEvent, repeatOnClock, runCheckpointed } from './checkpoint-runner';
import type { OperationDeps } from './deps';
import type { OperationContext } from './operation-context';
import { OperationRefused } from './operation-errors';
import type { CancelRequest, NextStep, OperationData, OperationResult, OperationState, Progress, StepKind, StepRecord } from './operation-types';
import { guardStep, releasePinsStep, rollbackSteps } from './step-list';
import { pinnedGroups, releasePins, trafficStillMoved } from './steps/release-pins';
import { accountOf, keyOfGroup } from '../core/fleet';
import type { GroupSizeUpdate } from '../cloud/ports';
import { LifeboatError } from '../core/errors';
import { isTransient } from './operation-errors';
import { awaitCapacity } from './steps/await-capacity';
import { guard } from './steps/guard';
import { applyWeights } from './steps/apply-weights';
import { awaitDns } from './steps/await-dns';
import { dwell } from './steps/dwell';
import { finalize } from './steps/finalize';
import { followCapacity } from './steps/follow-capacity';
import { pacedStagesOf } from './steps/follow-capacity-records';
import { reliefOfOperation } from './relief-timeline';
import { paceOf } from '../core/planner/capacity-pace';
import { prescale } from './steps/prescale';
import { rollbackCapacity } from './steps/rollback-capacity';
import { rollbackDns } from './steps/rollback-dns';
import { rollbackWeights } from './steps/rollback-weights';
import { verify } from './steps/verify';
import { prepareSwitches, switchBackOff, switchOn } from './steps/region-switch';
import { setWarmPools } from './steps/set-warm-pools';
import type { StepContext, StepHandler } from './steps/step-context';

const HANDLERS: Record<StepKind, StepHandler> = {
  guard,
  prescale,
  'await-capacity': awaitCapacity,
  'follow-capacity': followCapacity,
  'apply-weights': applyWeights,
  'await-dns': awaitDns,
  dwell,
  verify,
  finalize,
  'rollback-switch': switchBackOff,
  'rollback-weights': rollbackWeights,
  'rollback-dns': rollbackDns,
  'rollback-capacity': rollbackCapacity,
  'release-pins': releasePins,
  'prepare-switches': prepareSwitches,
  'switch-on': switchOn,
  'set-warm-pools': setWarmPools,
};

/** What the worker gives an operation: the checkpoint's hooks, and where live progress goes. */
interface OperationHooks extends CheckpointHooks<OperationData> {
  report(progress: Progress): Promise<void>;
}

/** A running step looks for a cancel request as often as steps poll the world, and at least once a second. */
const CANCEL_CHECK_MS = 1000;

/**
 * Carry an operation out from its checkpoint (the checkpoint runner): each step runs at
 * most to completion once it is recorded as succeeded, so a worker that takes over after a
 * crash goes on from the step that was running. Steps set absolute targets, so running
 * that one again is harmless. The regions' leases are renewed while this worker still owns
 * the job; a worker that is stopping (hooks.stopping) or has lost the job lets go of the
 * operation at the next safe point.
 */
export async function runOperation(op: OperationData, deps: OperationDeps, hooks: OperationHooks): Promise<RunOutcome> {
  const renewal = new AbortController();
  const lost = new AbortController();
  const stopping = hooks.stopping ? AbortSignal.any([hooks.stopping, lost.signal]) : lost.signal;
  const leaseMs = deps.settings.LIFEBOAT_LEASE_TTL * 1000;
  repeatOnClock(deps.clock, Math.max(200, leaseMs / 3), renewal.signal, async () => {
    // A worker that no longer holds the job (Redis lost it, or another worker took it over)
    // stops at its next safe point and renews nothing: a lease is never taken again for an
    // operation that is gone, so no region stays locked by an operation nobody can find.
    if (hooks.stillOwner && !(await hooks.stillOwner())) {
      lost.abort(new RunStopped('lost'));
      renewal.abort();
      return;
    }
    // The guard takes the leases: until it has succeeded there is nothing to renew.
    if (op.checkpoint.steps[0]?.state === 'succeeded') await deps.leases.acquire(op.id, op.regions, leaseMs);
  });
  const watched = { ...hooks, stopping };
  try {
    return await runCheckpointed(new OperationRun(op, deps, watched), deps, watched);
  } finally {
    renewal.abort();
  }
}

/** Who the operation is for and which regions it is about; the runner adds the step. */
function operationContextOf(op: OperationData): OperationContext {
  const intent = op.intent;
  return {
    operationId: op.id,
    actor: op.actor,
    planHash: () => op.checkpoint.planHash,
    region: intent.kind === 'shift' ? intent.from : 'region' in intent ? intent.region : undefined,
    regions: op.regions,
  };
}

/** An operation as the checkpoint runner sees it: its steps are data in the checkpoint. */
class OperationRun implements CheckpointedRun<OperationData> {
  readonly names = { run: 'operation', step: 'step', inOutcomes: 'operation' };
  readonly id: string;
  readonly kind: string;
  readonly actor: string;
  readonly context: OperationContext;
  readonly cancelPollMs: number;

  constructor(
    readonly data: OperationData,
    private readonly deps: OperationDeps,
    private readonly hooks: OperationHooks,
  ) {
    this.id = data.id;
    this.kind = data.kind;
    this.actor = data.actor;
    this.context = operationContextOf(data);
    this.cancelPollMs = Math.min(CANCEL_CHECK_MS, deps.settings.LIFEBOAT_CAPACITY_POLL_MS, deps.settings.LIFEBOAT_DNS_POLL_MS);
  }

  get checkpoint() {
    return this.data.checkpoint;
  }

  async prepare(): Promise<void> {
    const cp = this.checkpoint;
    if (cp.steps.length === 0) cp.steps.push(guardStep());
    // The snapshot is kept beside the job, not in it (see OperationStore.saveSnapshot).
    if (cp.plan && !cp.snapshot) cp.snapshot = (await this.deps.store.snapshotOf(this.id))?.snapshot;
  }

  /** The first step not done: pending, or running or failed when an earlier attempt stopped in it. After a failure, only what follows it. */
  async nextStep(): Promise<RunnerStep | undefined> {
    const cp = this.checkpoint;
    const candidates = cp.error && !cp.cancel ? cp.steps.filter((s) => s.kind === 'release-pins') : cp.steps;
    const step = candidates.find((s) => s.state === 'pending' || s.state === 'running' || s.state === 'failed');
    if (!step) return undefined;
    const fields = step.stage !== undefined ? { fields: { stage: step.stage } } : {};
    return { record: step, kind: step.kind, title: step.title, ...fields, attempt: (attempt) => this.attempt(step, attempt) };
  }

  /** A cancel request skips what is left; with rollback, the traffic goes back first and the capacity after, in their own steps. */
  cancelled(request: CancelRequest): void {
    const cp = this.checkpoint;
    for (const s of cp.steps) {
      if (s.state === 'pending' || s.state === 'failed') {
        s.state = 'skipped';
        s.outcome = `skipped: cancelled by ${request.by}`;
      }
    }
    const didSomething = cp.steps.some((s) => s.kind !== 'guard' && s.state === 'succeeded');
    if (request.rollback && didSomething) cp.steps.push(...rollbackSteps(cp.steps, cp.plan));
    else if (this.unpinsOnFailure()) cp.steps.push(releasePinsStep());
  }

  /**
   * A failed step ends the attempt when the queue will retry it (a transient failure, not the
   * last attempt). Otherwise the operation has failed: what is left is skipped, and the groups
   * it pinned are let go in a step of their own (onFailure: unpin) before it ends.
   */
  stepEnded(step: RunnerStep, end: StepEnd): void {
    if (end.state !== 'failed') return;
    if (end.error instanceof OperationRefused || (isTransient(end.error) && !this.hooks.isFinalAttempt)) throw end.error;
    const cp = this.checkpoint;
    // The release itself failed: the operation ends with the failure that brought it here.
    if (step.kind === 'release-pins' && cp.error) throw LifeboatError.fromProblem(cp.error);
    cp.error = end.problem;
    for (const s of cp.steps.filter((s) => s.state === 'pending')) {
      s.state = 'skipped';
      s.outcome = `skipped: ${end.problem.code} in ${step.record.id}`;
    }
    if (!this.unpinsOnFailure()) throw end.error;
    cp.steps.push(releasePinsStep());
  }

  endState(failure: { error: unknown } | undefined): OperationState {
    if (failure) return failure.error instanceof OperationRefused ? 'refused' : 'failed';
    if (this.checkpoint.error) return 'failed';
    return this.checkpoint.cancel ? 'cancelled' : 'succeeded';
  }

  /** Whether a failure (or a cancel without rollback) lets go of pins: the policy says so and there are pins to let go. */
  private unpinsOnFailure(): boolean {
    const policy = this.data.options.onFailure ?? this.deps.settings.LIFEBOAT_ON_FAILURE;
    return policy === 'unpin' && pinnedGroups(this.data).length > 0 && !this.checkpoint.steps.some((s) => s.kind === 'release-pins');
  }

  async finish(): Promise<Record<string, unknown>> {
    const cp = this.checkpoint;
    const pins = pinsLeft(this.data);
    const result = resultOf(this.data, this.deps.clock.now());
    const said = [
      pins.unpinned?.length ? `${pins.unpinned.length} pinned group(s) let go` : '',
      pins.pinned?.length ? `${pins.pinned.length} group(s) left pinned (${pins.pinned.map((p) => p.group).join(', ')}): a follow-up in GET /v1/fleet` : '',
    ].filter(Boolean);
    cp.result = { ...result, ...pins, summary: [result.summary, ...said].join('; ') };
    await this.settleEvacuationRecord();
    await this.recordFollowUps(cp.result.pinned ?? []);
    await this.deps.leases.release(this.id, this.data.regions);
    const calls = cp.result.awsCalls;
    const relief = cp.result.relief;
    return {
      summary: cp.result.summary,
      ...(calls ? { awsCalls: { calls: calls.calls, retries: calls.retries, throttles: calls.throttles } } : {}),
      ...(relief ? { relief: { pace: paceOf(this.data.intent), firstReliefSeconds: relief.firstReliefSeconds, mitigateSeconds: relief.mitigateSeconds, impactShareSeconds: relief.impactShareSeconds } } : {}),
    };
  }

  /**
   * A restored region is no longer evacuated; neither is one whose evacuation (or shift)
   * failed or was cancelled with every weight back where it started (nothing moved, or it
   * was rolled back), nor one a reconcile gave a weight on every name it serves. One that
   * moved only part of its traffic is partly evacuated.
   */
  private async settleEvacuationRecord(): Promise<void> {
    const { checkpoint: cp, intent } = this.data;
    if (cp.state === 'succeeded' && intent.kind === 'reconcile') {
      const last = cp.plan?.stages.at(-1)?.traffic ?? [];
      const serving = this.data.regions.filter((r) => last.some((t) => t.region === r) && last.filter((t) => t.region === r).every((t) => t.weight > 0));
      for (const region of serving) await this.deps.store.clearEvacuation(region);
      return;
    }
    const region = cp.plan?.region;
    if (!region) return;
    if (cp.state === 'succeeded' && intent.kind === 'restore') await this.deps.store.clearEvacuation(region);
    if (intent.kind !== 'evacuate' && intent.kind !== 'shift') return;
    if (cp.state === 'succeeded' && cp.result?.partial) await this.deps.store.markEvacuationPartial(region, this.id);
    if ((cp.state === 'failed' || cp.state === 'cancelled') && !trafficStillMoved(this.data)) {
      const record = await this.deps.store.evacuationOf(region);
      if (record?.operationId === this.id) await this.deps.store.clearEvacuation(region);
    }
  }

  /** Pins a failed or cancelled operation leaves behind are listed by GET /v1/fleet until someone lets them go. */
  private async recordFollowUps(pinned: NonNullable<OperationResult['pinned']>): Promise<void> {
    const original = new Map((this.checkpoint.snapshot?.groups ?? []).map((g) => [keyOfGroup(g), g]));
    const at = this.deps.clock.now().toISOString();
    const why = `${this.data.kind} ${this.checkpoint.plan?.region ?? ''} ${this.checkpoint.state}${this.checkpoint.error ? ` (${this.checkpoint.error.code})` : ''}; onFailure: ${this.data.options.onFailure ?? this.deps.settings.LIFEBOAT_ON_FAILURE}`;
    if (pinned.length === 0) return;
    const suspended = new Map((await this.deps.store.suspensionsOf(pinned)).map((r) => [keyOfGroup(r), r.processes]));
    await this.deps.store.recordFollowUps(
      pinned.map((p) => ({
        operationId: this.id,
        at,
        ...accountOf(p),
        region: p.region,
        group: p.group,
        pinnedMinSize: p.minSize,
        originalMinSize: original.get(keyOfGroup(p))?.minSize ?? 0,
        ...(suspended.has(keyOfGroup(p)) ? { suspendedProcesses: suspended.get(keyOfGroup(p))! } : {}),
        why,
      })),
    );
  }

  /** One run of the step's handler, its cloud calls counted into the checkpoint. */
  private async attempt(step: StepRecord, attempt: StepAttempt): Promise<string> {
    const tally = new CallTally();
    try {
      const { outcome, detail } = await withCallTally(tally, () => HANDLERS[step.kind](this.stepContext(step, attempt)));
      if (detail) step.detail = detail;
      return outcome;
    } finally {
      this.checkpoint.awsCalls = [...(this.checkpoint.awsCalls ?? []), ...tally.summary().byAction];
    }
  }

  private stepContext(step: StepRecord, attempt: StepAttempt): StepContext {
    return {
      ...this.deps,
      op: this.data,
      step,
      save: () => this.hooks.save(this.data),
      report: (progress) => this.report(step, progress),
      wait: attempt.wait,
    };
  }

  private async report(step: StepRecord, progress: Omit<Progress, 'at'>): Promise<void> {
    await this.hooks.report({ ...progress, at: this.deps.clock.now().toISOString() });
    if (progress.capacity) await publishEvent(this.deps, this, 'capacity.progress', { step: step.id, capacity: progress.capacity });
    if (progress.weights) await publishEvent(this.deps, this, 'weights.applied', { step: step.id, weights: progress.weights });
  }
}

/**
 * After a failure or a cancel: the groups it let go (release-pins), or those it leaves
 * pinned (onFailure: keep, or a release that failed), so nothing is left unannounced.
 */
function pinsLeft(op: OperationData): Pick<OperationResult, 'pinned' | 'unpinned'> {
  const cp = op.checkpoint;
  if (cp.state !== 'failed' && cp.state !== 'cancelled') return {};
  if (cp.steps.some((s) => s.kind === 'rollback-capacity' && s.state === 'succeeded')) return {};
  const release = cp.steps.find((s) => s.kind === 'release-pins');
  const unpinned = release?.state === 'succeeded' ? ((release.detail?.unpinned as GroupSizeUpdate[] | undefined) ?? []) : [];
  const let_go = new Set(unpinned.map((u) => keyOfGroup(u)));
  const pinned = release?.state === 'succeeded' ? [] : pinnedGroups(op).filter((p) => !let_go.has(keyOfGroup(p)));
  return {
    ...(unpinned.length ? { unpinned: unpinned.map((u) => ({ ...accountOf(u), region: u.region, group: u.group })) } : {}),
    ...(pinned.length ? { pinned: pinned.map((p) => ({ ...accountOf(p), region: p.region, group: p.group, minSize: p.minSize })) } : {}),
  };
}

function resultOf(op: OperationData, now: Date): OperationResult {
  const cp = op.checkpoint;
  const done = (kind: StepKind) => cp.steps.filter((s) => s.kind === kind && s.state === 'succeeded');
  // Paced stages that moved traffic off the failing region; fallbacks and rollbacks count as weight changes.
  const pacedChanges = pacedStagesOf(cp.steps);
  const paced = pacedChanges.filter((s) => s.kind === undefined);
  const stagesApplied = done('apply-weights').length + paced.length;
  const weightChanges =
    (cp.plan?.stages ?? []).filter((s) => done('apply-weights').some((d) => d.stage === s.index)).reduce((a, s) => a + s.weights.length, 0) +
    pacedChanges.reduce((a, s) => a + Object.keys(s.weights).length, 0);
  const relief = reliefOfOperation(op, now);
  const groupsChanged = (done('prescale').length ? (cp.plan?.groupChanges.length ?? 0) : 0) + (done('finalize').length ? (cp.plan?.finalGroupChanges.length ?? 0) : 0);
  const what = `${op.kind} ${cp.plan?.region ?? ''}`.trim();
  const prepared = done('prepare-switches')[0]?.detail as OperationResult['switchesPrepared'] | undefined;
  const switched = cp.switchUsed ? `, through its switch (Route 53's change API failed; alarm ${cp.switchUsed.alarm.name} in ${cp.switchUsed.alarm.region}: ${cp.switchUsed.alarmState})` : '';
  // Cancelled part-way without rollback: the traffic stays where the last stage applied put it.
  const leftInPlace = cp.state === 'cancelled' && !cp.cancel?.rollback ? (cp.plan?.stages ?? []).filter((s) => done('apply-weights').some((d) => d.stage === s.index)).at(-1) : undefined;
  const next = leftInPlace ? nextAfterCancel(op) : undefined;
  const warmPoolsChanged = done('set-warm-pools').length ? (cp.plan?.warmPoolChanges?.length ?? 0) : 0;
  const summary =
    cp.state === 'succeeded' && prepared
      ? `${what}: done — ${prepared.alarms} alarm(s) put, ${prepared.healthChecks} health check(s), ${prepared.recordsAttached} record(s) attached`
      : cp.state === 'succeeded'
      ? `${what}: done — ${groupsChanged} group change(s), ${stagesApplied} stage(s), ${weightChanges} weight change(s)${warmPoolsChanged ? `, ${warmPoolsChanged} warm pool change(s)` : ''}${cp.partial?.unplaced?.length ? ', partial (capacity short)' : ''}${switched}`
      : cp.state === 'cancelled'
        ? `${what}: cancelled by ${cp.cancel?.by}${cp.cancel?.rollback ? ', rolled back' : ` after ${stagesApplied} of ${cp.plan?.stages.length ?? 0} stage(s)${leftInPlace ? `; traffic now ${sharesText(leftInPlace.traffic)}` : '; traffic as it was'}${next ? `; next: ${next.kind} ${next.region} (${next.why})` : ''}`}`
        : `${what}: ${cp.state} — ${cp.error?.message ?? ''}${weightsInForce(cp, stagesApplied)}`;
  const calls = new CallTally();
  calls.add(cp.awsCalls ?? []);
  return {
    summary,
    ...(cp.awsCalls?.length ? { awsCalls: calls.summary() } : {}),
    groupsChanged,
    weightChanges,
    stagesApplied,
    ...(warmPoolsChanged ? { warmPoolsChanged } : {}),
    ...(cp.partial?.shortfall?.length ? { shortfall: cp.partial.shortfall } : {}),
    ...(cp.partial?.unplaced?.length ? { unplaced: cp.partial.unplaced } : {}),
    ...(cp.state === 'succeeded' && cp.partial?.unplaced?.length ? { partial: true } : {}),
    ...(cp.fallback ? { served: cp.fallback.served, ...(cp.fallback.unplaced.length ? { unplaced: cp.fallback.unplaced } : {}) } : {}),
    ...(cp.switchUsed ? { switchUsed: cp.switchUsed } : {}),
    ...(prepared ? { switchesPrepared: { alarms: prepared.alarms, healthChecks: prepared.healthChecks, recordsAttached: prepared.recordsAttached } } : {}),
    ...(leftInPlace ? { trafficNow: leftInPlace.traffic.map(({ name, region, share }) => ({ name, region, share })) } : {}),
    ...(next ? { next } : {}),
    ...(relief ? { relief } : {}),
  };
}

/** What to run after a move cancelled part-way: restore brings the traffic back (a restore cancelled part-way: restore again finishes it). */
function nextAfterCancel(op: OperationData): NextStep | undefined {
  const intent = op.intent;
  if (intent.kind === 'evacuate') return { kind: 'restore', region: intent.region, why: 'brings its traffic back; evacuate again to finish instead' };
  if (intent.kind === 'shift') return { kind: 'restore', region: intent.from, why: 'brings its traffic back; shift again to finish instead' };
  if (intent.kind === 'restore') return { kind: 'restore', region: intent.region, why: 'again, to finish bringing it back' };
  return undefined;
}

/** Shares per region, `us-east-1 50.0%, us-west-2 25.0%`; per DNS name when the names differ. */
function sharesText(traffic: ReadonlyArray<{ name: string; region: string; share: number }>): string {
  const pct = (share: number) => `${(share * 100).toFixed(1)}%`;
  const names = [...new Set(traffic.map((t) => t.name))];
  const byName = names.map((name) => traffic.filter((t) => t.name === name).map((t) => `${t.region} ${pct(t.share)}`).join(', '));
  return new Set(byName).size <= 1 ? (byName[0] ?? '') : names.map((name, i) => `${name}: ${byName[i]}`).join('; ');
}

/** Where the weights are after a failure: a fallback's servable weights, the stage before a rolled-back one, the last applied stage's, or the original ones. */
function weightsInForce(cp: OperationData['checkpoint'], stagesApplied: number): string {
  if (cp.fallback) return `; weights are those the capacity in service serves (set ${cp.error?.details?.pace === 'capacity' ? 'by a fallback during the paced stages' : `after stage ${cp.fallback.stage}`})`;
  // A stage that failed verification was rolled back: the weights in force are the stage's before it.
  const rolledBackTo = cp.error?.code === 'LB_ERR_VERIFICATION_FAILED' ? cp.error.details?.rolledBackTo : undefined;
  // A paced stage rolled back: that name's weights are its change before (stage numbers are the name's own).
  if (cp.error?.details?.pace === 'capacity' && typeof rolledBackTo === 'number') {
    return `; ${String(cp.error.details.name)} weights are ${rolledBackTo ? `those of its paced stage ${rolledBackTo}` : 'as they were before the operation'}`;
  }
  const weightsOf = typeof rolledBackTo === 'number' ? rolledBackTo : stagesApplied;
  if (weightsOf) return `; weights are those of stage ${weightsOf}`;
  return stagesApplied ? '; weights are as they were before the operation' : '';
}
