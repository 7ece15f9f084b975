import { OperationRefused } from '../operation-errors';
import { planHash } from '../plan-hash';
import { planRequest } from '../plan-request';
import { stepsForPlan } from '../step-list';
import type { StepHandler } from './step-context';

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
  const { snapshot, plan } = await planRequest(op.intent, ctx, { fresh: true });
  op.checkpoint.snapshot = snapshot;
  op.checkpoint.plan = plan;
  op.checkpoint.planHash = planHash(plan);
  if (plan.blockers.length > 0) {
    const forcible = plan.blockers.every((b) => b.code === 'LB_ERR_SHORTFALL');
    if (!(op.options.force && forcible)) {
      const first = plan.blockers[0]!;
      throw new OperationRefused({
        code: first.code,
        message: plan.blockers.map((b) => b.message).join('; '),
        details: { blockers: plan.blockers, ...(forcible ? { hint: 'pass force: true to go ahead with the shortfall' } : {}) },
      });
    }
    op.checkpoint.forced = true;
    plan.warnings.push({ code: 'FORCED', message: `forced past: ${plan.blockers.map((b) => b.message).join('; ')}`, details: { by: op.actor } });
  }
  if (op.intent.kind === 'evacuate' || op.intent.kind === 'shift') {
    await ctx.store.recordEvacuation({ region: plan.region!, operationId: op.id, at: ctx.clock.now().toISOString(), snapshot });
  }
  op.checkpoint.steps.push(...stepsForPlan(plan));
  return {
    outcome: `${plan.groupChanges.length} group change(s), ${plan.stages.length} stage(s)${op.checkpoint.forced ? ', forced past a shortfall' : ''}`,
  };
};
