import { LifeboatError } from '../../core/errors';
import { cancelOperation } from '../../operations/activity';
import { RunStopped } from '../../operations/checkpoint-runner';
import { FINISHED_STATES } from '../../operations/operation-types';
import type { OperationView } from '../../operations/operation-views';
import { planRequest } from '../../operations/plan-request';
import { getOperation } from '../../operations/activity';
import { submitOperation } from '../../operations/submit-operation';
import { parseOrThrow } from '../../operations/validation';
import { intentSchema } from '../../core/intents';
import type { Action, ActionContext } from '../action-context';

/** plan: what an intent would do, as outputs a later assert can read; never fails on blockers. */
export const planAction: Action = async (ctx) => {
  const intent = parseOrThrow(intentSchema, ctx.inputs, { regions: ctx.deps.settings.LIFEBOAT_REGIONS });
  const { plan } = await planRequest(intent, ctx.deps);
  const shortfall = plan.services.flatMap((s) => s.regions.filter((r) => r.shortfall > 0).map((r) => ({ service: s.service, region: r.region, short: r.shortfall })));
  const warmPoolChanges = plan.warmPoolChanges?.length ?? 0;
  // Blocked only because the fleet already matches: a runbook run twice goes on without acting.
  const nothingToDo = plan.blockers.length > 0 && plan.blockers.every((b) => b.code === 'LB_ERR_NOTHING_TO_DO');
  return {
    outcome: plan.blockers.length
      ? `blocked: ${plan.blockers.map((b) => b.code).join(', ')}`
      : `${warmPoolChanges ? `${warmPoolChanges} warm pool change(s), ` : ''}${plan.groupChanges.length} group change(s), ${plan.stages.length} stage(s)`,
    outputs: { blocked: plan.blockers.length > 0, nothingToDo, blockers: plan.blockers.map((b) => b.code), groupChanges: plan.groupChanges.length, warmPoolChanges, stages: plan.stages.length, shortfall },
  };
};

/**
 * evacuate / shift / restore / scale / prepare- and release-dark-capacity: the same operation as the API, through the same
 * queue and safety rules, recorded as `runbook:<name>`. The operation id is kept in the
 * step, and the submission is idempotent, so a run resumed after a crash waits for the
 * same operation instead of starting another.
 */
export function operationAction(kind: 'evacuate' | 'shift' | 'restore' | 'scale' | 'prepare-dark-capacity' | 'release-dark-capacity'): Action {
  return async (ctx) => {
    let id = ctx.record.detail?.operationId as string | undefined;
    if (!id) {
      const submitted = await submitOperation(
        { ...ctx.inputs, kind },
        { actor: ctx.actor, idempotencyKey: `${ctx.run.id}.${ctx.record.id}.${ctx.record.attempts}` },
        ctx.deps,
      );
      if (submitted.dryRun) {
        return { outcome: `dry run: ${submitted.plan.blockers.length ? 'blocked' : 'would proceed'}`, outputs: { dryRun: true, blocked: submitted.plan.blockers.length > 0 } };
      }
      id = submitted.operation.id;
      ctx.record.detail = { ...ctx.record.detail, operationId: id };
      await ctx.save();
    }
    const view = await waitForOperation(ctx, id);
    const outputs = { operationId: id, state: view.state, summary: view.result?.summary ?? '' };
    if (view.state !== 'succeeded') {
      throw new LifeboatError(view.error?.code ?? 'LB_ERR_INTERNAL', `operation ${id} ${view.state}: ${view.error?.message ?? view.result?.summary ?? ''}`, { ...outputs });
    }
    return { outcome: view.result?.summary ?? `operation ${id} succeeded`, outputs };
  };
}

async function waitForOperation(ctx: ActionContext, id: string): Promise<OperationView> {
  for (;;) {
    const view = await getOperation(id, ctx.deps);
    if (FINISHED_STATES.includes(view.state)) return view;
    try {
      await ctx.sleep(ctx.deps.settings.LIFEBOAT_RUNBOOK_POLL_MS);
    } catch (e) {
      // The worker is letting go of the run: the operation goes on, and the next worker follows it.
      if (e instanceof RunStopped) throw e;
      // The step timed out or the run was cancelled: stop the operation too.
      const rollback = ctx.run.checkpoint.cancel?.rollback ?? false;
      await cancelOperation(id, { by: ctx.actor, rollback }, ctx.deps).catch(() => undefined);
      throw e;
    }
  }
}
