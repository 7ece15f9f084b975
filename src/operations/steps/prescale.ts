import { applySizes, readLive } from './group-sizes';
import { LifeboatError } from '../../core/errors';
import type { AutoScalingGroupReading } from '../../core/fleet';
import { accountOf, keyOfGroup } from '../../core/fleet';
import type { GroupChange } from '../../core/planner/plan-types';
import { suspendScheduledActions } from './scheduled-actions';
import type { StepHandler } from './step-context';
import { planOf } from './step-context';

function missing(changes: GroupChange[], live: Map<string, AutoScalingGroupReading>): GroupChange[] {
  return changes.filter((c) => !live.has(keyOfGroup(c)));
}

/**
 * Pin every group that gains traffic at its target. If the group's own scaling went higher
 * since the snapshot, keep its higher DesiredCapacity: a prescale never shrinks anything.
 * (A `scale` operation is the exception: it sets the sizes asked for, smaller ones included.)
 */
export const prescale: StepHandler = async (ctx) => {
  const { plan } = planOf(ctx);
  const live = await readLive(ctx, plan.groupChanges);
  const gone = missing(plan.groupChanges, live);
  if (gone.length > 0) throw new LifeboatError('LB_ERR_AWS_REJECTED', `groups disappeared since the plan: ${gone.map((c) => c.group).join(', ')}`, { groups: gone });
  // An explicit scale sets exactly what was asked, down as well as up; moving traffic never shrinks.
  const exact = ctx.op.intent.kind === 'scale';
  // What pins a group for a move must hold: no scheduled action may undo it meanwhile.
  const suspended = exact ? [] : await suspendScheduledActions(ctx, plan.groupChanges, live);
  const updates = plan.groupChanges.map((c) => {
    const now = live.get(keyOfGroup(c))!;
    const desired = exact ? c.to.desiredCapacity : Math.max(c.to.desiredCapacity, now.desiredCapacity);
    return { ...accountOf(c), region: c.region, group: c.group, minSize: c.to.minSize, desiredCapacity: desired, maxSize: Math.max(c.to.maxSize, desired) };
  });
  await applySizes(ctx, updates, false);
  const raisedByOwnScaling = updates.filter((u, i) => u.desiredCapacity > plan.groupChanges[i]!.to.desiredCapacity).length;
  return {
    outcome: `${updates.length} group(s) pinned at their targets${raisedByOwnScaling ? ` (${raisedByOwnScaling} already higher, kept)` : ''}${suspended.length ? `; ScheduledActions suspended on ${suspended.length}` : ''}`,
    detail: { updates, ...(suspended.length ? { suspended } : {}) },
  };
};
