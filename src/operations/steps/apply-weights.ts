import { withCallDeadline } from '../../cloud/aws/call-deadline';
import { problemOf } from '../operation-errors';
import { evacuateThroughSwitch } from './region-switch';
import { setAndVerifyWeights, stageOf } from './stage-weights';
import type { StepHandler } from './step-context';
import { planOf } from './step-context';

/** One stage's weights; with a fallback switch, Route 53's change API gets LIFEBOAT_SWITCH_AFTER_MS before the switch is used instead. */
export const applyWeights: StepHandler = (ctx) => {
  const design = planOf(ctx).plan.fallbackSwitch;
  if (!design) return setAndVerifyWeights(ctx, stageOf(ctx).weights);
  const ms = ctx.settings.LIFEBOAT_SWITCH_AFTER_MS;
  return setAndVerifyWeights(ctx, stageOf(ctx).weights, {
    submit: (work) => withCallDeadline(ms, work),
    onSubmitFailure: (e) => evacuateThroughSwitch(ctx, design, e instanceof Error && e.name === 'CallDeadlineExceeded' ? `no answer within ${ms} ms` : problemOf(e).message),
  });
};

