import { applySizes, readLive } from './group-sizes';
import { LifeboatError } from '../../core/errors';
import { normalizeDnsName } from '../../core/snapshot';
import type { AutoScalingGroupReading } from '../../core/fleet';
import { accountOf, keyOfGroup } from '../../core/fleet';
import type { GroupChange } from '../../core/planner/plan-types';
import { suspendScheduledActions } from './scheduled-actions';
import type { StepContext, StepHandler } from './step-context';
import { planOf } from './step-context';
import type { PinRecord } from '../../core/pins';
import { pinOf } from '../../core/pins';
import { TAG_TRAFFIC } from '../../core/fleet';

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
  // Sizes, tags and suspended processes are what a prescale reads: not the instances' health.
  const live = await readLive(ctx, plan.groupChanges, { sizesOnly: true });
  const gone = missing(plan.groupChanges, live);
  if (gone.length > 0) throw new LifeboatError('LB_ERR_AWS_REJECTED', `groups disappeared since the plan: ${gone.map((c) => c.group).join(', ')}`, { groups: gone });
  // An explicit scale sets exactly what was asked, down as well as up; moving traffic never shrinks.
  const exact = ctx.op.intent.kind === 'scale';
  // What pins a group for a move must hold: no scheduled action may undo it meanwhile.
  const suspended = exact ? [] : await suspendScheduledActions(ctx, plan.groupChanges, live);
  const updates = plan.groupChanges.map((c) => {
    const now = live.get(keyOfGroup(c))!;
    const desired = exact ? c.to.desiredCapacity : Math.max(c.to.desiredCapacity, now.desiredCapacity);
    const update = { ...accountOf(c), region: c.region, group: c.group, minSize: c.to.minSize, desiredCapacity: desired, maxSize: Math.max(c.to.maxSize, desired) };
    // A scale sets what was asked and pins nothing; a move or a restore pins, and AWS keeps the record.
    const pin = exact ? undefined : pinRecord(ctx, now);
    return pin ? { ...update, pin } : update;
  });
  await applySizes(ctx, updates, false);
  const raisedByOwnScaling = updates.filter((u, i) => u.desiredCapacity > plan.groupChanges[i]!.to.desiredCapacity).length;
  return {
    outcome: `${updates.length} group(s) pinned at their targets${raisedByOwnScaling ? ` (${raisedByOwnScaling} already higher, kept)` : ''}${suspended.length ? `; ScheduledActions suspended on ${suspended.length}` : ''}`,
    detail: { updates, ...(suspended.length ? { suspended } : {}) },
  };
};

/**
 * What the pin of this group records (core/pins.ts): this operation, the group's sizes now,
 * and for a move the weights its traffic name had before the operation. A group pinned
 * already (by an evacuation still in place) keeps its first record: the sizes and weights
 * to go back to are the ones before the first move.
 */
function pinRecord(ctx: StepContext, group: AutoScalingGroupReading): PinRecord | undefined {
  if (pinOf(group.tags)) return undefined;
  const from = { minSize: group.minSize, desiredCapacity: group.desiredCapacity, maxSize: group.maxSize };
  const { intent } = ctx.op;
  const name = group.tags[TAG_TRAFFIC];
  const moves = intent.kind === 'evacuate' || intent.kind === 'shift';
  const traffic = moves && name ? planOf(ctx).snapshot.traffic.filter((t) => t.name === normalizeDnsName(name)) : [];
  const weightsBefore = traffic.length > 0 ? Object.fromEntries(traffic.map((t) => [t.region, t.weight])) : undefined;
  return { operationId: ctx.op.id, from, ...(weightsBefore ? { weightsBefore } : {}) };
}
