import type { GroupSizeUpdate } from '../../cloud/ports';
import { LifeboatError } from '../../core/errors';
import type { AutoScalingGroupReading } from '../../core/fleet';
import { accountOf, keyOfGroup } from '../../core/fleet';
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
 * Set absolute sizes on every group at once, with their pin records: first the pins of every
 * group that carries one (batched: a few CreateOrUpdateTags for a region's groups, not one a
 * group), and only once they are all written the resizes; then the records of the groups
 * lifeboat lets go (batched DeleteTags), after their resizes. A crash between the two leaves
 * pins recorded on groups not yet resized: harmless, the record never claims less than
 * lifeboat did, and running the step again writes the same absolute values.
 */
export async function writeSizes(ctx: StepContext, updates: readonly GroupSizeUpdate[]): Promise<void> {
  const pins = updates.flatMap((u) => (u.pin ? [{ ...accountOf(u), region: u.region, group: u.group, pin: u.pin }] : []));
  if (pins.length > 0) await ctx.cloud.recordPins(pins);
  await Promise.all(updates.map(({ pin: _pin, release: _release, ...size }) => ctx.cloud.setGroupSize(size)));
  const released = updates.filter((u) => u.release).map((u) => ({ ...accountOf(u), region: u.region, group: u.group }));
  if (released.length > 0) await ctx.cloud.erasePins(released);
}

/**
 * Set absolute sizes on every group at once (writeSizes), then read them back: a write counts
 * when the world shows it. A prescale leaves the read-back to the wait that follows it, which
 * reads the same groups anyway (one describe per 50 groups less against Auto Scaling's quota).
 */
export async function applySizes(ctx: StepContext, updates: GroupSizeUpdate[], readBack = true): Promise<void> {
  await writeSizes(ctx, updates);
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
