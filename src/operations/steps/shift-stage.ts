import type { WeightUpdate } from '../../cloud/ports';
import { LifeboatError } from '../../core/errors';
import { groupKey, recordKey } from '../../core/fleet';
import { indexFleet } from '../../core/planner/fleet-index';
import type { Stage, WeightChange } from '../../core/planner/plan-types';
import { countInService } from '../../core/snapshot';
import { readyAt } from './await-capacity';
import { readLive } from './set-capacity';
import type { StepContext, StepHandler, StepOutcome } from './step-context';
import { elapsedMs, planOf, waitOrInterrupt } from './step-context';

function stageOf(ctx: StepContext): Stage {
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

/** Upsert the weights, then read them back: a stage counts as applied when Route 53 shows it. */
export async function setAndVerifyWeights(ctx: StepContext, changes: ReadonlyArray<Pick<WeightChange, 'zoneId' | 'name' | 'type' | 'setIdentifier' | 'to' | 'region'>>): Promise<StepOutcome> {
  const updates = weightUpdates(ctx, changes);
  const submitted = await ctx.cloud.setWeights(updates);
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

export const applyWeights: StepHandler = (ctx) => setAndVerifyWeights(ctx, stageOf(ctx).weights);

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

export const awaitDns: StepHandler = (ctx) => awaitInSync(ctx, changeIdsOf(ctx, `stage-${ctx.step.stage}/apply-weights`));

/** Longest TTL among the records a set of changes touched. */
function longestTtl(ctx: StepContext, changes: ReadonlyArray<{ zoneId: string; name: string; type: string; setIdentifier: string }>): number {
  const records = new Map(planOf(ctx).snapshot.records.map((r) => [recordKey(r), r]));
  return Math.max(0, ...changes.map((c) => records.get(recordKey(c))?.ttl ?? 0));
}

/**
 * Let resolvers' caches catch up: at least the record TTL, unless configured otherwise
 * (LIFEBOAT_DWELL, or the operation's dwellSeconds for its stages).
 */
async function dwellFor(
  ctx: StepContext,
  changes: ReadonlyArray<{ zoneId: string; name: string; type: string; setIdentifier: string }>,
  operationDwell: number | undefined,
): Promise<StepOutcome> {
  const seconds = operationDwell ?? ctx.settings.LIFEBOAT_DWELL ?? longestTtl(ctx, changes);
  const left = seconds * 1000 - elapsedMs(ctx);
  if (left > 0) await waitOrInterrupt(ctx, left);
  return { outcome: `dwelt ${seconds} s` };
}

export const dwell: StepHandler = (ctx) => {
  // A rollback's dwell is not a stage's: the operation's dwellSeconds does not stretch it.
  if (ctx.step.stage === undefined) return dwellFor(ctx, planOf(ctx).plan.stages.flatMap((s) => s.weights), undefined);
  return dwellFor(ctx, stageOf(ctx).weights, ctx.op.options.dwellSeconds);
};

/**
 * After a stage: every region must still run what the stage's shares need (× readiness).
 * If not, the stage's weights go back to the previous stage's and the operation stops.
 */
export const verify: StepHandler = async (ctx) => {
  const stage = stageOf(ctx);
  const { plan, snapshot } = planOf(ctx);
  const readiness = ctx.op.options.readiness ?? ctx.settings.LIFEBOAT_READINESS;
  const groups = indexFleet(snapshot).groups;
  const groupsOf = (service: string, region: string) => groups.get(service)?.get(region) ?? [];
  const checks = stage.load.filter((l) => l.needed > 0 && l.share > 0);
  const live = await readLive(ctx, checks.flatMap((l) => groupsOf(l.service, l.region).map((g) => ({ region: g.region, group: g.name }))));
  const short = checks
    .map((l) => ({
      service: l.service,
      region: l.region,
      needed: readyAt(l.needed, readiness),
      inService: groupsOf(l.service, l.region).reduce((a, g) => a + countInService(live.get(groupKey(g.region, g.name))?.instances ?? []), 0),
    }))
    .filter((c) => c.inService < c.needed);
  const hook = short.length === 0 ? await askVerifyHook(ctx, stage) : undefined;
  if (short.length === 0 && !hook) return { outcome: `${checks.length} service region(s) at capacity for this stage${ctx.settings.LIFEBOAT_VERIFY_HOOK_URL ? '; the verify hook agreed' : ''}` };

  const previous = plan.stages.find((s) => s.index === stage.index - 1);
  const back = stage.weights.map((w) => {
    const before = previous?.traffic.find((t) => t.name === w.name && t.region === w.region)?.weight ?? w.from;
    return { ...w, to: before };
  });
  const undone = await setAndVerifyWeights(ctx, back);
  await awaitInSync(ctx, (undone.detail?.changeIds as string[]) ?? []);
  const why = hook ?? short.map((s) => `${s.service} in ${s.region} has ${s.inService} in service, needs ${s.needed}`).join('; ');
  throw new LifeboatError(
    'LB_ERR_VERIFICATION_FAILED',
    `stage ${stage.index} failed verification: ${why}; its weights were rolled back to stage ${stage.index - 1}'s`,
    { stage: stage.index, short, ...(hook ? { hook } : {}), rolledBackTo: stage.index - 1 },
  );
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

