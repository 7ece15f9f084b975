import { OperationRefused, forcible, refusalOf } from '../operation-errors';
import { planHash } from '../plan-hash';
import { planRequest } from '../plan-request';
import { stepsForPlan } from '../step-list';
import type { AcceptedRead } from '../plan-request';
import type { StepContext, StepHandler } from './step-context';

/** How old the fleet read an operation was accepted on may be for its guard to plan on it. */
export const ACCEPTED_READ_MAX_AGE_MS = 2000;

/**
 * The fleet read the operation was accepted on, if it is recent and lifeboat has changed
 * nothing since (the fleet version); otherwise a fresh read. A guard that starts right away
 * then costs no second read of AWS (neither the fleet nor the instance refreshes).
 */
async function acceptedRead(ctx: StepContext): Promise<{ on: AcceptedRead } | { fresh: true }> {
  // A retried guard reads afresh whatever was stored: no need to fetch it.
  if (ctx.step.attempts > 1) return { fresh: true };
  const accepted = await ctx.store.snapshotOf(ctx.op.id);
  if (!accepted) return { fresh: true };
  const young = ctx.clock.now().getTime() - accepted.readAt <= ACCEPTED_READ_MAX_AGE_MS;
  if (!young || accepted.fleetVersion !== (await ctx.snapshots.currentVersion())) return { fresh: true };
  // With the instance refreshes the request's plan read: the same plan on the same read asks for the same groups.
  return { on: { snapshot: accepted.snapshot, version: accepted.fleetVersion, readAt: accepted.readAt, ...(accepted.refreshes ? { refreshes: accepted.refreshes } : {}) } };
}

/**
 * Take the regions, read the fleet, plan, and refuse what is unsafe: any blocker, except
 * a shortfall the requester forced past (which is recorded).
 */
export const guard: StepHandler = async (ctx) => {
  const { op, settings } = ctx;
  const lease = await ctx.leases.acquire(op.id, op.regions, settings.LIFEBOAT_LEASE_TTL * 1000);
  if (!lease.acquired) {
    throw new OperationRefused({
      code: 'LB_ERR_REGION_LOCKED',
      message: `${lease.region} is held by operation ${lease.heldBy}; one mutating operation per region at a time`,
      details: { region: lease.region, operationId: lease.heldBy },
    });
  }
  const source = await acceptedRead(ctx);
  const { snapshot, plan, read } = await planRequest(op.intent, ctx, source);
  op.checkpoint.snapshot = snapshot;
  // Planned on the accepted read: that very snapshot is stored already (by the submission).
  if ('fresh' in source) await ctx.store.saveSnapshot(op.id, { snapshot, fleetVersion: read.version, readAt: read.readAt });
  op.checkpoint.plan = plan;
  op.checkpoint.planHash = planHash(plan);
  const refusal = refusalOf(plan, op.options.force);
  if (refusal) {
    throw new OperationRefused({ ...refusal, details: { ...refusal.details, ...(forcible(plan) ? { hint: 'pass force: true to go ahead with the shortfall' } : {}) } });
  }
  if (plan.blockers.length > 0) {
    op.checkpoint.forced = true;
    plan.warnings.push({ code: 'FORCED', message: `forced past: ${plan.blockers.map((b) => b.message).join('; ')}`, details: { by: op.actor } });
  }
  if (op.intent.kind === 'evacuate' || op.intent.kind === 'shift') {
    await ctx.store.recordEvacuation({ region: plan.region!, operationId: op.id, at: ctx.clock.now().toISOString(), snapshot });
  }
  op.checkpoint.steps.push(...stepsForPlan(plan));
  return {
    outcome: `${plan.groupChanges.length} group change(s), ${plan.stages.length} stage(s)${plan.warmPoolChanges?.length ? `, ${plan.warmPoolChanges.length} warm pool change(s)` : ''}${op.checkpoint.forced ? ', forced past a shortfall' : ''}`,
  };
};
