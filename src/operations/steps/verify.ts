import { stageOf } from './stage-weights';
import type { Stage } from '../../core/planner/plan-types';
import { shortOfStage } from './stage-capacity';
import { fallBackFromStage, rollBackToPreviousStage } from './stage-fallback';
import type { StepContext, StepHandler } from './step-context';
import { planOf } from './step-context';

/**
 * After a stage: every region must still run, in service, what the stage's shares need
 * (× readiness), and the verify hook, if configured, must agree. Capacity short: the pins
 * are put back and the weights set to what the capacity in service serves (stage-fallback).
 * The hook says no: the stage's weights go back to the previous stage's. Either way the
 * operation stops.
 */
export const verify: StepHandler = async (ctx) => {
  const stage = stageOf(ctx);
  const { checked, short } = await shortOfStage(ctx, stage);
  if (short.length > 0) return fallBackFromStage(ctx, stage, short);
  const hook = await askVerifyHook(ctx, stage);
  if (hook) return rollBackToPreviousStage(ctx, stage, hook, { short: [], hook });
  return { outcome: `${checked} service region(s) at capacity for this stage${ctx.settings.LIFEBOAT_VERIFY_HOOK_URL ? '; the verify hook agreed' : ''}` };
};

/**
 * The configurable check (LIFEBOAT_VERIFY_HOOK_URL): POSTed the stage, it must answer 2xx
 * with {"ok": true}. Anything else — an error, a timeout, ok false — fails the stage:
 * a check that cannot be asked cannot vouch for the stage. Undefined when it agrees.
 */
async function askVerifyHook(ctx: StepContext, stage: Stage): Promise<string | undefined> {
  const url = ctx.settings.LIFEBOAT_VERIFY_HOOK_URL;
  if (!url) return undefined;
  const body = { operationId: ctx.op.id, kind: ctx.op.kind, region: planOf(ctx).plan.region, stage: stage.index, percent: stage.percent, traffic: stage.traffic, load: stage.load };
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'lifeboat' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(ctx.settings.LIFEBOAT_VERIFY_HOOK_TIMEOUT_MS),
    });
    const text = await res.text();
    if (!res.ok) return `the verify hook answered ${res.status}`;
    const answer = JSON.parse(text) as { ok?: unknown; reason?: unknown };
    if (answer.ok === true) return undefined;
    return `the verify hook said no${typeof answer.reason === 'string' ? `: ${answer.reason}` : ''}`;
  } catch (e) {
    return `the verify hook could not be asked: ${(e as Error).message}`;
  }
}
