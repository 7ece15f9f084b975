import { LifeboatError } from '../../core/errors';
import { evaluateCondition } from '../../core/runbooks/expressions';
import type { Action } from '../action-context';
import { input, invalidInput } from '../action-context';
import { needsOf } from '../run-scope';

/**
 * wait: a duration ({seconds}), or until a condition holds ({until, pollSeconds?}),
 * checking again at each poll with a fresh scope. A resumed run waits only what is left.
 */
export const waitAction: Action = async (ctx) => {
  if (typeof ctx.step.inputs.until === 'string') {
    const condition = ctx.step.inputs.until;
    const needs = needsOf(condition);
    const pollMs = typeof ctx.inputs.pollSeconds === 'number' ? ctx.inputs.pollSeconds * 1000 : ctx.deps.settings.LIFEBOAT_RUNBOOK_POLL_MS;
    let checks = 0;
    for (;;) {
      checks += 1;
      if (evaluateCondition(condition, await ctx.scope(needs), `${ctx.step.id}.inputs.until`)) {
        return { outcome: `"${condition}" held after ${checks} check(s)`, outputs: { checks } };
      }
      await ctx.sleep(pollMs);
    }
  }
  const seconds = input(ctx, 'seconds', 'number');
  const started = new Date(ctx.record.startedAt ?? ctx.deps.clock.now()).getTime();
  const left = started + seconds * 1000 - ctx.deps.clock.now().getTime();
  if (left > 0) await ctx.sleep(left);
  return { outcome: `waited ${seconds} s`, outputs: { seconds } };
};

/** assert: a condition over the scope; when false, the step fails with the runbook's message. */
export const assertAction: Action = async (ctx) => {
  const condition = ctx.step.inputs.condition;
  if (typeof condition !== 'string') throw invalidInput(ctx, 'condition', 'must be an expression');
  const holds = evaluateCondition(condition, await ctx.scope(needsOf(condition)), `${ctx.step.id}.inputs.condition`);
  if (!holds) {
    const message = typeof ctx.inputs.message === 'string' ? ctx.inputs.message : `assertion failed: ${condition}`;
    throw new LifeboatError('LB_ERR_ASSERTION_FAILED', message, { condition, step: ctx.step.id });
  }
  return { outcome: `holds: ${condition}`, outputs: { holds: true } };
};
