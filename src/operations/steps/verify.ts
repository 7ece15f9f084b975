import { stageOf } from './stage-weights';
import { shortOfStage } from './stage-capacity';
import { fallBackFromStage, rollBackToPreviousStage } from './stage-fallback';
import type { StepContext, StepHandler } from './step-context';
import { planOf } from './step-context';
import { outboundPolicyOf } from '../outbound/outbound-policy';
import { postJson } from '../outbound/post-json';

/**
 * After a stage: every region that gained traffic must still run, in service, what the stage's shares need
 * (× readiness), and the verify hook, if configured, must agree. Capacity short: the pins
 * are put back and the weights set to what the capacity in service serves (stage-fallback).
 * The hook says no: the stage's weights go back to the previous stage's. Either way the
 * operation stops.
 */
export const verify: StepHandler = async (ctx) => {
  const stage = stageOf(ctx);
  const { checked, short } = await shortOfStage(ctx, stage);
  if (short.length > 0) return fallBackFromStage(ctx, stage, short);
  const hook = await askVerifyHook(ctx, { operationId: ctx.op.id, kind: ctx.op.kind, region: planOf(ctx).plan.region, stage: stage.index, percent: stage.percent, traffic: stage.traffic, load: stage.load });
  if (hook) return rollBackToPreviousStage(ctx, stage, hook, { short: [], hook });
  return { outcome: `${checked} service region(s) at capacity for this stage${ctx.settings.LIFEBOAT_VERIFY_HOOK_URL ? '; the verify hook agreed' : ''}` };
};

/**
 * The configurable check (LIFEBOAT_VERIFY_HOOK_URL): POSTed the stage (a planned stage, or a
 * name's paced stage), it must answer 2xx
 * with {"ok": true}. Anything else — refused by LIFEBOAT_OUTBOUND_HOSTS, no answer, ok false —
 * fails the stage: a check that cannot be asked cannot vouch for the stage. Undefined when it
 * agrees. The reason shown names only the verdict and the status (why a connection failed is
 * in the log), as notify's does; the hook's own reason, when it gives one, is its to give.
 */
export async function askVerifyHook(ctx: StepContext, body: Record<string, unknown>): Promise<string | undefined> {
  const url = ctx.settings.LIFEBOAT_VERIFY_HOOK_URL;
  if (!url) return undefined;
  const policy = outboundPolicyOf(ctx.settings.LIFEBOAT_OUTBOUND_HOSTS);
  const answer = await postJson(new URL(url), body, { policy, timeoutMs: ctx.settings.LIFEBOAT_VERIFY_HOOK_TIMEOUT_MS, purpose: 'verify hook' });
  if (answer.verdict === 'refused') return 'the verify hook was refused (not allowed by LIFEBOAT_OUTBOUND_HOSTS)';
  if (answer.status === undefined) return 'the verify hook was allowed but did not answer';
  if (answer.status < 200 || answer.status >= 300) return `the verify hook answered ${answer.status}`;
  let said: { ok?: unknown; reason?: unknown } | undefined;
  try {
    said = JSON.parse(answer.text) as typeof said;
  } catch {
    return `the verify hook answered ${answer.status} without JSON`;
  }
  if (said?.ok === true) return undefined;
  return `the verify hook said no${typeof said?.reason === 'string' ? `: ${said.reason}` : ''}`;
}
