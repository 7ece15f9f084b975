import type { GroupSizeUpdate } from '../../cloud/ports';
import { LifeboatError } from '../../core/errors';
import type { AutoScalingGroupReading } from '../../core/fleet';
import { keyOfGroup } from '../../core/fleet';
import { sameSize, sizeOf } from '../../core/planner/group-sizing';
import { pinOf } from '../../core/pins';
import type { StepContext } from './step-context';

/**
 * The named groups as they are now (by keyOfGroup), one read per region and account; with
 * `sizesOnly`, without their instances' EC2 status (a write and its read-back need only the
 * sizes and tags; what counts instances in service must not pass it).
 */
export async function readLive(
  ctx: StepContext,
  changes: ReadonlyArray<{ region: string; group: string; account?: string | undefined }>,
  options?: { sizesOnly?: boolean },
): Promise<Map<string, AutoScalingGroupReading>> {
  const places = new Map<string, { region: string; account: string | undefined; groups: string[] }>();
  for (const c of changes) {
    const key = `${c.account ?? ''}/${c.region}`;
    if (!places.has(key)) places.set(key, { region: c.region, account: c.account, groups: [] });
    places.get(key)!.groups.push(c.group);
  }
  const live = new Map<string, AutoScalingGroupReading>();
  await Promise.all(
    [...places.values()].map(async ({ region, account, groups }) => {
      for (const g of await ctx.cloud.readGroups(region, groups, account, options)) live.set(keyOfGroup({ region, name: g.name, account }), g);
    }),
  );
  return live;
}

/**
 * Set absolute sizes on every group at once, then read them back: a write counts when the
 * world shows it. A prescale leaves the read-back to the wait that follows it, which reads
 * the same groups anyway (one describe per 50 groups less against Auto Scaling's quota).
 */
export async function applySizes(ctx: StepContext, updates: GroupSizeUpdate[], readBack = true): Promise<void> {
  await Promise.all(updates.map((u) => ctx.cloud.setGroupSize(u)));
  if (!readBack) return;
  const live = await readLive(ctx, updates, { sizesOnly: true });
  const wrong = updates.filter((u) => {
    const g = live.get(keyOfGroup(u));
    return !g || !sameSize(g, u);
  });
  if (wrong.length > 0) {
    throw new LifeboatError('LB_ERR_AWS_REJECTED', `read-back after resizing differs for ${wrong.map((u) => `${u.group} (${u.region})`).join(', ')}`, {
      groups: wrong.map((u) => ({ ...u, live: live.get(keyOfGroup(u)) && sizeOf(live.get(keyOfGroup(u))!) })),
    });
  }
}

/** Groups whose sizes differ from what was set: MinSize as set, DesiredCapacity and MaxSize at least as set. */
export function sizesNotApplied(updates: readonly GroupSizeUpdate[], live: Map<string, AutoScalingGroupReading>): GroupSizeUpdate[] {
  return updates.filter((u) => {
    const g = live.get(keyOfGroup(u));
    return !g || g.minSize !== u.minSize || g.desiredCapacity < u.desiredCapacity || g.maxSize < u.maxSize;
  });
}

/**
 * The same updates, each marked to release the group's pin record (core/pins.ts) when it
 * returns the group to the bounds the record says it had before, or when `all` (a reconcile
 * lets go of everything it finalizes): lifeboat no longer holds the group.
 */
export function releasingPins(updates: readonly GroupSizeUpdate[], live: Map<string, AutoScalingGroupReading>, all = false): GroupSizeUpdate[] {
  return updates.map((u) => {
    const pin = pinOf(live.get(keyOfGroup(u))?.tags ?? {});
    const back = pin && (all || (pin.from.minSize === u.minSize && pin.from.maxSize === u.maxSize));
    return back ? { ...u, release: true } : u;
  });
}
