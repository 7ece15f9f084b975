import { awaitInSync, setAndVerifyWeights, stageOf } from './stage-weights';
import { LifeboatError } from '../../core/errors';
import { groupKey } from '../../core/fleet';
import { indexFleet } from '../../core/planner/fleet-index';
import type { Stage } from '../../core/planner/plan-types';
import { countInService } from '../../core/snapshot';
import { readyAt } from './await-capacity';
import { readLive } from './group-sizes';
import type { StepContext, StepHandler } from './step-context';
import { planOf } from './step-context';

/**
 * After a stage: every region that gained traffic must run what the stage's shares need
 * (× readiness). If not, the stage's weights go back to the previous stage's and the
 * operation stops. A region whose share did not grow is not read: it carries no more than
 * before (and the region being evacuated may be the one whose endpoint does not answer).
 */
export const verify: StepHandler = async (ctx) => {
  const stage = stageOf(ctx);
  const { plan, snapshot } = planOf(ctx);
  const readiness = ctx.op.options.readiness ?? ctx.settings.LIFEBOAT_READINESS;
  const groups = indexFleet(snapshot).groups;
  const groupsOf = (service: string, region: string) => groups.get(service)?.get(region) ?? [];
  const shareBefore = new Map(plan.services.flatMap((p) => p.regions.map((t) => [`${t.service}\u0000${t.region}`, t.share] as const)));
  const gained = (l: { service: string; region: string; share: number }) => l.share > (shareBefore.get(`${l.service}\u0000${l.region}`) ?? 0) + 1e-9;
  const checks = stage.load.filter((l) => l.needed > 0 && l.share > 0 && gained(l));
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
