import type { RunnerContext, RunnerDeps, RunnerStep } from './checkpoint-runner-types';
import { logger } from './logger';
import { problemOf } from './operation-errors';
import type { OperationEventType } from './ports/operation-events';

/**
 * How a run tells the world what happens: an event (OperationEvents) and a log line for
 * each start and end of the run and of its steps. The log lines carry the run's context
 * (operation id, step, region) from the logger's mixin.
 */

/** Events are a view of what happened: losing one must never fail the run. */
export async function publishEvent(
  deps: Pick<RunnerDeps, 'events' | 'clock'>,
  run: { id: string; kind: string },
  type: OperationEventType,
  data: Record<string, unknown>,
): Promise<void> {
  await deps.events.publish({ type, operationId: run.id, kind: run.kind, at: deps.clock.now().toISOString(), data }).catch(() => undefined);
}

export async function reportRunStarted(rc: RunnerContext, resumed: boolean): Promise<void> {
  const { run } = rc;
  await publishEvent(rc.deps, rc.run, 'operation.started', { resumed, actor: run.actor, ...run.fields });
  logger.info({ kind: run.kind, actor: run.actor, resumed, ...run.fields }, `${run.names.run} ${resumed ? 'resumed' : 'started'}`);
}

export async function reportRetry(rc: RunnerContext, e: unknown): Promise<void> {
  const problem = problemOf(e);
  await publishEvent(rc.deps, rc.run, 'operation.error', { error: problem, retrying: true });
  logger.warn({ kind: rc.run.kind, code: problem.code, error: problem.message }, `${rc.run.names.run} attempt failed; the queue retries it`);
}

export async function reportRunFinished(rc: RunnerContext, fields: Record<string, unknown>): Promise<void> {
  const { run } = rc;
  const cp = run.checkpoint;
  const durationMs = msBetween(cp.startedAt, cp.finishedAt);
  await publishEvent(rc.deps, rc.run, 'operation.finished', { state: cp.state, ...fields, ...(cp.error ? { error: cp.error } : {}) });
  logger[cp.state === 'failed' ? 'warn' : 'info'](
    { kind: run.kind, ...run.fields, state: cp.state, ...fields, ...(durationMs !== undefined ? { durationMs } : {}), ...(cp.error ? { code: cp.error.code, error: cp.error.message } : {}) },
    `${run.names.run} finished`,
  );
}

export async function reportStepStarted(rc: RunnerContext, step: RunnerStep): Promise<void> {
  const fields = { kind: step.kind, title: step.title, attempt: step.record.attempts, ...step.fields };
  await publishEvent(rc.deps, rc.run, 'step.started', { step: step.record.id, ...fields });
  logger.info(fields, `${rc.run.names.step} started`);
}

export function reportStepSkipped(rc: RunnerContext, step: RunnerStep): void {
  logger.info({ kind: step.kind, ...step.fields, outcome: step.record.outcome }, `${rc.run.names.step} skipped`);
}

export async function reportStepFinished(rc: RunnerContext, step: RunnerStep): Promise<void> {
  const { record } = step;
  const durationMs = msBetween(record.startedAt, record.finishedAt);
  const fields = {
    kind: step.kind,
    ...step.fields,
    state: record.state,
    outcome: record.outcome,
    attempts: record.attempts,
    ...(durationMs !== undefined ? { durationMs } : {}),
    ...(record.error ? { error: record.error } : {}),
    ...(record.stuck ? { stuck: true } : {}),
  };
  await publishEvent(rc.deps, rc.run, 'step.finished', { step: record.id, ...fields });
  logger[record.state === 'failed' ? 'warn' : 'info']({ ...fields, ...(record.error ? { code: record.error.code } : {}) }, `${rc.run.names.step} finished`);
}

/** An unexpected error is a bug in lifeboat: its stack goes to the log (with the run's context), never to the user. */
export function reportUnexpected(rc: RunnerContext, step: RunnerStep, e: unknown): void {
  logger.error({ kind: step.kind, ...step.fields, err: e }, `unexpected error in a ${rc.run.names.step}: a bug in lifeboat`);
}

function msBetween(from: string | undefined, to: string | undefined): number | undefined {
  return from && to ? new Date(to).getTime() - new Date(from).getTime() : undefined;
}
