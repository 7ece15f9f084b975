import { LifeboatError } from '../../core/errors';
import { accountOf, keyOfGroup } from '../../core/fleet';
import { appendTo } from '../../core/maps';
import { planWithinObtainedCapacity } from '../../core/planner/partial-plan';
import { countInService } from '../../core/snapshot';
import { planContextOf } from '../deps';
import { planHash } from '../plan-hash';
import type { CapacityProgress } from '../operation-types';
import { stageSteps } from '../step-list';
import type { GroupSizeUpdate } from '../../cloud/ports';
import { readLive, sizesNotApplied } from './group-sizes';
import type { StepContext, StepHandler } from './step-context';
import { elapsedMs, planOf, waitOrInterrupt } from './step-context';

/** Instances in service that count as ready for a target: target × readiness, rounded up (float noise aside). */
export function readyAt(target: number, readiness: number): number {
  return Math.ceil(target * readiness - 1e-9);
}

/**
 * Wait until every prescaled group has InService ≥ target × readiness. On timeout, follow
 * the operation's policy: abort with the shortfall per group, or re-plan the stages so no
 * region is sent more traffic than the capacity it obtained can serve.
 */
export const awaitCapacity: StepHandler = async (ctx) => {
  const { op, settings } = ctx;
  const { plan } = planOf(ctx);
  const readiness = op.options.readiness ?? settings.LIFEBOAT_READINESS;
  const timeoutMs = (op.options.capacityTimeoutSeconds ?? settings.LIFEBOAT_CAPACITY_TIMEOUT) * 1000;
  const targets = plan.groupChanges.map((c) => ({ ...accountOf(c), region: c.region, group: c.group, service: c.service, target: c.to.desiredCapacity }));

  // The prescale's writes are checked on the first read here (the prescale does not read back).
  const written = (op.checkpoint.steps.find((s) => s.kind === 'prescale')?.detail?.updates as GroupSizeUpdate[] | undefined) ?? [];
  let progress: CapacityProgress[] = [];
  for (let read = 0; ; read++) {
    const live = await readLive(ctx, targets);
    if (read === 0) {
      const wrong = sizesNotApplied(written, live);
      if (wrong.length > 0) {
        throw new LifeboatError('LB_ERR_AWS_REJECTED', `read-back after prescaling differs for ${wrong.map((u) => `${u.group} (${u.region})`).join(', ')}`, { groups: wrong });
      }
    }
    progress = targets.map((t) => ({ ...t, inService: countInService(live.get(keyOfGroup(t))?.instances ?? []) }));
    const ready = progress.filter((p) => p.inService >= readyAt(p.target, readiness)).length;
    await ctx.report({ step: ctx.step.id, message: `${ready} of ${progress.length} group(s) at capacity`, capacity: progress });
    if (ready === progress.length) {
      const instances = progress.reduce((a, p) => a + p.inService, 0);
      return { outcome: `${ready} group(s) at capacity: ${instances} instance(s) in service`, detail: { capacity: progress } };
    }
    const left = timeoutMs - elapsedMs(ctx);
    if (left <= 0) break;
    await waitOrInterrupt(ctx, Math.min(settings.LIFEBOAT_CAPACITY_POLL_MS, left));
  }
  return capacityTimedOut(ctx, progress, readiness, timeoutMs);
};

async function capacityTimedOut(ctx: StepContext, progress: CapacityProgress[], readiness: number, timeoutMs: number) {
  const { op, settings } = ctx;
  const short = progress.filter((p) => p.inService < readyAt(p.target, readiness));
  const since = op.checkpoint.startedAt ?? op.createdAt;
  const byRegion = new Map<string, string[]>();
  for (const s of short) appendTo(byRegion, s.region, s.group);
  const problems = (await Promise.all([...byRegion].map(([region, groups]) => ctx.cloud.readScalingProblems(region, groups, since)))).flat();
  const reasons = (group: string) => [...new Set(problems.filter((p) => p.group === group).map((p) => p.reason))];
  const shortfall = short.map((s) => ({ ...s, short: s.target - s.inService, reasons: reasons(s.group) }));
  const described = shortfall.map((s) => `${s.group} (${s.service}, ${s.region}) has ${s.inService} of ${s.target}${s.reasons.length ? ` [${s.reasons.join(', ')}]` : ''}`).join('; ');
  const policy = op.options.onCapacityTimeout ?? settings.LIFEBOAT_ON_CAPACITY_TIMEOUT;
  const intent = op.intent;

  if (policy === 'abort' || (intent.kind !== 'evacuate' && intent.kind !== 'shift')) {
    throw new LifeboatError('LB_ERR_CAPACITY_TIMEOUT', `capacity not in service after ${Math.round(timeoutMs / 1000)} s: ${described}; no traffic was moved`, {
      shortfall,
      problems,
    });
  }

  const { snapshot, plan } = planOf(ctx);
  const obtained = progress.map((p) => ({ ...accountOf(p), region: p.region, group: p.group, inService: p.inService }));
  const partial = planWithinObtainedCapacity(snapshot, intent, obtained, planContextOf(ctx));
  const unplaced = partial.blockers
    .filter((b) => b.code === 'LB_ERR_SHORTFALL' && typeof b.details?.unplaced === 'number')
    .map((b) => ({ name: String(b.details!.name), share: b.details!.unplaced as number }));
  // Capacity that serves none of what should move: nothing moves, and that is a failure, not a partial success.
  if (!partial.stages.some((s) => s.weights.length > 0)) {
    throw new LifeboatError('LB_ERR_CAPACITY_TIMEOUT', `capacity not in service after ${Math.round(timeoutMs / 1000)} s: ${described}; the capacity obtained serves none of the traffic to move, so no traffic was moved`, {
      shortfall,
      problems,
      unplaced,
      policy: 'partial',
    });
  }
  op.checkpoint.plan = { ...plan, stages: partial.stages, services: partial.services, warnings: [...plan.warnings, ...partial.blockers.map((b) => ({ code: 'FORCED', message: `partial: ${b.message}` }))] };
  op.checkpoint.planHash = planHash(op.checkpoint.plan);
  const here = op.checkpoint.steps.findIndex((s) => s.id === ctx.step.id);
  const after = op.checkpoint.steps.slice(here + 1).filter((s) => s.stage === undefined);
  op.checkpoint.steps = [...op.checkpoint.steps.slice(0, here + 1), ...stageSteps(op.checkpoint.plan), ...after];
  op.checkpoint.partial = {
    shortfall: shortfall.map((s) => ({ service: s.service, region: s.region, target: s.target, obtained: s.inService })),
    unplaced,
  };
  return {
    outcome: `timed out after ${Math.round(timeoutMs / 1000)} s: ${described}; moving only what the capacity in service can serve${unplaced.length ? ` (${unplaced.map((u) => `${(u.share * 100).toFixed(1)}% of ${u.name}`).join(', ')} stays)` : ''}`,
    detail: { capacity: progress, shortfall, problems, unplaced },
  };
}
