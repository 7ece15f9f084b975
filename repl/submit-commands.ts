import type { RegionCode } from '../src/core/fleet';
import type { OperationRequest } from '../src/operations/operation-types';
import { submitOperation } from '../src/operations/submit-operation';
import { renderPlan } from '../src/text/plan-text';
import { describeOperation } from '../src/text/request-text';
import type { OperationHandle } from './operation-handle';
import { operationHandle } from './operation-handle';
import type { ReplSession } from './repl-session';
import { planSummary, summarized } from './summaries';

type RequestOf<K extends OperationRequest['kind']> = Extract<OperationRequest, { kind: K }>;
/** Options of a request: everything but the kind, the positional arguments and dryRun (use plan() for that). */
type EvacuateOptions = Omit<RequestOf<'evacuate'>, 'kind' | 'region' | 'dryRun'>;
type ShiftOptions = Omit<RequestOf<'shift'>, 'kind' | 'from' | 'percent' | 'dryRun'>;
type RestoreOptions = Omit<RequestOf<'restore'>, 'kind' | 'region' | 'dryRun'>;
type ScaleOptions = Omit<RequestOf<'scale'>, 'kind' | 'region' | 'service' | 'desiredCapacity' | 'dryRun'>;
type ReconcileOptions = Omit<RequestOf<'reconcile'>, 'kind' | 'dryRun'>;
type PrepareSwitchesOptions = Omit<RequestOf<'prepare-switches'>, 'kind' | 'dryRun'>;
type PrepareDarkCapacityOptions = Omit<RequestOf<'prepare-dark-capacity'>, 'kind' | 'dryRun'>;
type ReleaseDarkCapacityOptions = Omit<RequestOf<'release-dark-capacity'>, 'kind' | 'dryRun'>;

/** The commands that change the world, each through submitOperation: the API's path, its locks, audit and idempotency. */
export interface SubmitCommands {
  evacuate(region: RegionCode, options?: EvacuateOptions): Promise<OperationHandle>;
  shift(from: RegionCode, percent: number, options?: ShiftOptions): Promise<OperationHandle>;
  restore(region: RegionCode, options?: RestoreOptions): Promise<OperationHandle>;
  scale(region: RegionCode, service: string, desiredCapacity: number, options?: ScaleOptions): Promise<OperationHandle>;
  /** Return the fleet to what lifeboat's pin records on AWS hold (or to the weights and groups given), after lifeboat lost its records. */
  reconcile(options?: ReconcileOptions): Promise<OperationHandle>;
  /** Create or repair the region switches (all regions, or options.regions); plan({kind: 'prepare-switches'}) first. */
  prepareSwitches(options?: PrepareSwitchesOptions): Promise<OperationHandle>;
  /** Size warm pools so every region could absorb the loss of its largest neighbour (planned first: plan({kind: 'prepare-dark-capacity'})). */
  prepareDarkCapacity(options?: PrepareDarkCapacityOptions): Promise<OperationHandle>;
  /** Delete the warm pools lifeboat created (only those). */
  releaseDarkCapacity(options?: ReleaseDarkCapacityOptions): Promise<OperationHandle>;
}

export function submitCommands(session: ReplSession): SubmitCommands {
  const { deps, actor, out } = session;

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
      `submitted ${operation.id}: ${describeOperation(operation)} as ${actor} (${operation.state}).` +
        (workers === 0 ? '\n  no worker is connected: it stays queued until one runs (npm run worker, or the REPL with --with-worker).' : ''),
    );
    return operationHandle(operation, session);
  }

  return {
    evacuate: (region, o = {}) => submit({ ...o, kind: 'evacuate', region }),
    shift: (from, percent, o = {}) => submit({ ...o, kind: 'shift', from, percent }),
    restore: (region, o = {}) => submit({ ...o, kind: 'restore', region }),
    scale: (region, service, desiredCapacity, o = {}) => submit({ ...o, kind: 'scale', region, service, desiredCapacity }),
    reconcile: (o = {}) => submit({ ...o, kind: 'reconcile' }),
    prepareSwitches: (o = {}) => submit({ ...o, kind: 'prepare-switches' }),
    prepareDarkCapacity: (o = {}) => submit({ ...o, kind: 'prepare-dark-capacity' }),
    releaseDarkCapacity: (o = {}) => submit({ ...o, kind: 'release-dark-capacity' }),
  };
}
