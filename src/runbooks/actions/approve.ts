import { LifeboatError } from '../../core/errors';
import type { Action } from '../action-context';

/**
 * approve: pause until someone approves (POST /v1/operations/:id/approve, the REPL or the
 * CLI) or rejects; the step's timeoutSeconds bounds the wait. The approver is recorded.
 */
export const approveAction: Action = async (ctx) => {
  const message = typeof ctx.inputs.message === 'string' ? ctx.inputs.message : `approve step ${ctx.step.id} of ${ctx.run.runbook}`;
  if (ctx.run.checkpoint.awaitingApproval?.stepId !== ctx.step.id) {
    ctx.run.checkpoint.awaitingApproval = { stepId: ctx.step.id, message, since: ctx.deps.clock.now().toISOString() };
    await ctx.save();
  }
  try {
    for (;;) {
      const decision = await ctx.deps.runbookStore.approvalOf(ctx.run.id, ctx.step.id);
      if (decision?.decision === 'approve') {
        return { outcome: `approved by ${decision.by}${decision.comment ? `: ${decision.comment}` : ''}`, outputs: { approver: decision.by, comment: decision.comment ?? '', at: decision.at } };
      }
      if (decision?.decision === 'reject') {
        throw new LifeboatError('LB_ERR_APPROVAL_REJECTED', `rejected by ${decision.by}${decision.comment ? `: ${decision.comment}` : ''}`, { by: decision.by });
      }
      await ctx.sleep(Math.min(ctx.deps.settings.LIFEBOAT_RUNBOOK_POLL_MS, 1000));
    }
  } finally {
    delete ctx.run.checkpoint.awaitingApproval;
    await ctx.save();
  }
};
