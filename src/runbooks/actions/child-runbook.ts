import { LifeboatError } from '../../core/errors';
import { FINISHED_STATES } from '../../operations/operation-types';
import type { Action } from '../action-context';
import { input } from '../action-context';
import { startRun } from '../start-run';

/** runbook: run another runbook as a child and wait for it; its outputs become this step's. */
export const childRunbookAction: Action = async (ctx) => {
  const name = input(ctx, 'name', 'string');
  const params = (ctx.inputs.params ?? {}) as Record<string, unknown>;
  let id = ctx.record.detail?.runId as string | undefined;
  if (!id) {
    const view = await startRun(name, params, { actor: ctx.actor, parentRunId: ctx.run.id, id: `${ctx.run.id}.${ctx.record.id.replace('/', '-')}.${ctx.record.attempts}` }, ctx.deps);
    id = view.id;
    ctx.record.detail = { ...ctx.record.detail, runId: id };
    await ctx.save();
  }
  for (;;) {
    const child = await ctx.deps.runs.get(id);
    const cp = child?.data.checkpoint;
    if (cp && FINISHED_STATES.includes(cp.state)) {
      if (cp.state !== 'succeeded') throw new LifeboatError(cp.error?.code ?? 'LB_ERR_INTERNAL', `child runbook ${name} (${id}) ${cp.state}: ${cp.error?.message ?? ''}`, { runId: id });
      return { outcome: `${name} succeeded`, outputs: { runId: id, ...(cp.outputs ?? {}) } };
    }
    await ctx.sleep(ctx.deps.settings.LIFEBOAT_RUNBOOK_POLL_MS);
  }
};
