import { applySizes, readLive, releasingPins } from './group-sizes';
import { pinOf } from '../../core/pins';
import { groupKey } from '../../core/fleet';
import { sameSize, sizeOf } from '../../core/planner/group-sizing';
import type { StepHandler } from './step-context';
import { planOf } from './step-context';

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
  // Back to the sizes before: the pin records this operation wrote go too (those of an earlier one stay).
  const released = releasingPins(
    updates.filter((u) => needed.includes(u) || pinOf(live.get(groupKey(u.region, u.group))?.tags ?? {})?.operationId === ctx.op.id),
    live,
  );
  await applySizes(ctx, released);
  return { outcome: `${needed.length} group(s) returned to their sizes before the operation`, detail: { updates: released } };
};
