import type { GroupSizeUpdate } from '../../cloud/ports';
import { LifeboatError } from '../../core/errors';
import type { AutoScalingGroupReading } from '../../core/fleet';
import { groupKey } from '../../core/fleet';
import { appendTo } from '../../core/maps';
import { sameSize, sizeOf } from '../../core/planner/group-sizing';
import type { GroupChange } from '../../core/planner/plan-types';
import type { StepContext, StepHandler } from './step-context';
import { planOf } from './step-context';

/** The named groups as they are now, one read per region. */
export async function readLive(ctx: StepContext, changes: ReadonlyArray<{ region: string; group: string }>): Promise<Map<string, AutoScalingGroupReading>> {
  const byRegion = new Map<string, string[]>();
  for (const c of changes) appendTo(byRegion, c.region, c.group);
  const live = new Map<string, AutoScalingGroupReading>();
  await Promise.all(
    [...byRegion].map(async ([region, groups]) => {
      for (const g of await ctx.cloud.readGroups(region, groups)) live.set(groupKey(region, g.name), g);
    }),
  );
  return live;
}

/**
 * Set absolute sizes on every group at once, then read them back: a write counts when the
 * world shows it. A prescale leaves the read-back to the wait that follows it, which reads
 * the same groups anyway (one describe per 50 groups less against Auto Scaling's quota).
 */
async function applySizes(ctx: StepContext, updates: GroupSizeUpdate[], readBack = true): Promise<void> {
  await Promise.all(updates.map((u) => ctx.cloud.setGroupSize(u)));
  if (!readBack) return;
  const live = await readLive(ctx, updates);
  const wrong = updates.filter((u) => {
    const g = live.get(groupKey(u.region, u.group));
    return !g || !sameSize(g, u);
  });
  if (wrong.length > 0) {
    throw new LifeboatError('LB_ERR_AWS_REJECTED', `read-back after resizing differs for ${wrong.map((u) => `${u.group} (${u.region})`).join(', ')}`, {
      groups: wrong.map((u) => ({ ...u, live: live.get(groupKey(u.region, u.group)) && sizeOf(live.get(groupKey(u.region, u.group))!) })),
    });
  }
}

/** Groups whose sizes differ from what was set: MinSize as set, DesiredCapacity and MaxSize at least as set. */
export function sizesNotApplied(updates: readonly GroupSizeUpdate[], live: Map<string, AutoScalingGroupReading>): GroupSizeUpdate[] {
  return updates.filter((u) => {
    const g = live.get(groupKey(u.region, u.group));
    return !g || g.minSize !== u.minSize || g.desiredCapacity < u.desiredCapacity || g.maxSize < u.maxSize;
  });
}

function missing(changes: GroupChange[], live: Map<string, AutoScalingGroupReading>): GroupChange[] {
  return changes.filter((c) => !live.has(groupKey(c.region, c.group)));
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
  const updates = plan.groupChanges.map((c) => {
    const now = live.get(groupKey(c.region, c.group))!;
    const desired = exact ? c.to.desiredCapacity : Math.max(c.to.desiredCapacity, now.desiredCapacity);
    return { region: c.region, group: c.group, minSize: c.to.minSize, desiredCapacity: desired, maxSize: Math.max(c.to.maxSize, desired) };
  });
  await applySizes(ctx, updates, false);
  const raisedByOwnScaling = updates.filter((u, i) => u.desiredCapacity > plan.groupChanges[i]!.to.desiredCapacity).length;
  return {
    outcome: `${updates.length} group(s) pinned at their targets${raisedByOwnScaling ? ` (${raisedByOwnScaling} already higher, kept)` : ''}`,
    detail: { updates },
  };
};

/**
 * After the last stage: groups go back to their old MinSize and MaxSize; DesiredCapacity
 * stays where their own scaling has it (within the old bounds) unless the plan says otherwise.
 */
export const finalize: StepHandler = async (ctx) => {
  const { plan } = planOf(ctx);
  const { intent } = ctx.op;
  const scaleDownSurvivors = intent.kind === 'restore' && intent.scaleDownSurvivors === true;
  const live = await readLive(ctx, plan.finalGroupChanges);
  const updates = plan.finalGroupChanges
    .filter((c) => live.has(groupKey(c.region, c.group)))
    .map((c) => {
      const now = live.get(groupKey(c.region, c.group))!;
      const desired =
        scaleDownSurvivors && c.region !== plan.region ? c.to.desiredCapacity : Math.min(Math.max(now.desiredCapacity, c.to.minSize), c.to.maxSize);
      return { region: c.region, group: c.group, minSize: c.to.minSize, desiredCapacity: desired, maxSize: c.to.maxSize };
    });
  await applySizes(ctx, updates);
  return { outcome: `${updates.length} group(s) returned to their own scaling`, detail: { updates } };
};

/** Roll back: every group the operation resized goes back to its size in the snapshot. */
export const rollbackCapacity: StepHandler = async (ctx) => {
  const { plan, snapshot } = planOf(ctx);
  const touched = [...plan.groupChanges, ...plan.finalGroupChanges];
  const original = new Map(snapshot.groups.map((g) => [groupKey(g.region, g.name), g]));
  const updates = [...new Map(touched.map((c) => [groupKey(c.region, c.group), c])).values()]
    .filter((c) => original.has(groupKey(c.region, c.group)))
    .map((c) => ({ region: c.region, group: c.group, ...sizeOf(original.get(groupKey(c.region, c.group))!) }));
  const live = await readLive(ctx, updates);
  const needed = updates.filter((u) => {
    const g = live.get(groupKey(u.region, u.group));
    return g && !sameSize(g, u);
  });
  await applySizes(ctx, needed);
  return { outcome: `${needed.length} group(s) returned to their sizes before the operation`, detail: { updates: needed } };
};
