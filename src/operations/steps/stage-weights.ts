import type { TrafficChange, WeightUpdate } from '../../cloud/ports';
import { LifeboatError } from '../../core/errors';
import { recordKey } from '../../core/fleet';
import type { Stage, WeightChange } from '../../core/planner/plan-types';
import type { StepContext, StepOutcome } from './step-context';
import { elapsedMs, planOf, waitOrInterrupt } from './step-context';

export function stageOf(ctx: StepContext): Stage {
  const stage = planOf(ctx).plan.stages.find((s) => s.index === ctx.step.stage);
  if (!stage) throw new Error(`step ${ctx.step.id} names stage ${ctx.step.stage}, which the plan does not have`);
  return stage;
}

/** Full record sets (as read into the snapshot) carrying the weights to set. */
function weightUpdates(ctx: StepContext, changes: ReadonlyArray<{ zoneId: string; name: string; type: string; setIdentifier: string; to: number }>): WeightUpdate[] {
  const records = new Map(planOf(ctx).snapshot.records.map((r) => [recordKey(r), r]));
  return changes.map((c) => {
    const record = records.get(recordKey(c));
    if (!record) throw new LifeboatError('LB_ERR_AWS_REJECTED', `record ${c.name} ${c.type} ${c.setIdentifier} is not in the snapshot`, { ...c });
    return { record, weight: c.to };
  });
}

/** How the upsert is made: within a deadline, and what to do instead when Route 53's change API fails (an evacuation's fallback switch). */
interface SubmitPolicy {
  submit(work: () => Promise<TrafficChange[]>): Promise<TrafficChange[]>;
  onSubmitFailure(e: unknown): Promise<StepOutcome>;
}

/** Upsert the weights, then read them back: a stage counts as applied when Route 53 shows it. */
export async function setAndVerifyWeights(
  ctx: StepContext,
  changes: ReadonlyArray<Pick<WeightChange, 'zoneId' | 'name' | 'type' | 'setIdentifier' | 'to' | 'region'>>,
  policy?: SubmitPolicy,
): Promise<StepOutcome> {
  const updates = weightUpdates(ctx, changes);
  let submitted: TrafficChange[];
  if (!policy) submitted = await ctx.cloud.setWeights(updates);
  else {
    try {
      submitted = await policy.submit(() => ctx.cloud.setWeights(updates));
    } catch (e) {
      // lifeboat's own refusal of a record (before any call) is not Route 53 failing.
      if (e instanceof LifeboatError && e.code === 'LB_ERR_VALIDATION') throw e;
      return policy.onSubmitFailure(e);
    }
  }
  const readBack = await ctx.cloud.readWeights(updates.map((u) => u.record));
  const wrong = updates.filter((u, i) => readBack[i] !== u.weight);
  if (wrong.length > 0) {
    throw new LifeboatError('LB_ERR_AWS_REJECTED', `read-back after setting weights differs for ${wrong.map((u) => `${u.record.name} (${u.record.setIdentifier})`).join(', ')}`, {
      records: wrong.map((u) => ({ name: u.record.name, setIdentifier: u.record.setIdentifier, wanted: u.weight })),
    });
  }
  await ctx.report({ step: ctx.step.id, message: `${updates.length} weight(s) set`, weights: changes.map((c) => ({ name: c.name, region: c.region, weight: c.to })) });
  return {
    outcome: `${updates.length} weight(s) set in ${submitted.length} change batch(es)`,
    detail: { changeIds: submitted.map((c) => c.changeId) },
  };
}

/** Wait until every change batch the previous step submitted is INSYNC: no stage starts before. */
export async function awaitInSync(ctx: StepContext, changeIds: string[]): Promise<StepOutcome> {
  const timeoutMs = ctx.settings.LIFEBOAT_DNS_TIMEOUT * 1000;
  let pending = [...changeIds];
  for (;;) {
    const statuses = await Promise.all(pending.map((id) => ctx.cloud.changeStatus(id)));
    pending = pending.filter((_, i) => statuses[i] !== 'INSYNC');
    if (pending.length === 0) return { outcome: `${changeIds.length} change batch(es) in sync after ${Math.round(elapsedMs(ctx) / 100) / 10} s` };
    const left = timeoutMs - elapsedMs(ctx);
    if (left <= 0) {
      throw new LifeboatError('LB_ERR_DNS_TIMEOUT', `Route 53 changes ${pending.join(', ')} not in sync after ${ctx.settings.LIFEBOAT_DNS_TIMEOUT} s`, { pending });
    }
    await ctx.report({ step: ctx.step.id, message: `${pending.length} of ${changeIds.length} change batch(es) still PENDING` });
    await waitOrInterrupt(ctx, Math.min(ctx.settings.LIFEBOAT_DNS_POLL_MS, left));
  }
}

/** The change ids an earlier step of this operation recorded. */
export function changeIdsOf(ctx: StepContext, stepId: string): string[] {
  const step = ctx.op.checkpoint.steps.find((s) => s.id === stepId);
  return (step?.detail?.changeIds as string[] | undefined) ?? [];
}
