import { applySizes, readLive, releasingPins } from './group-sizes';
import { accountOf, keyOfGroup } from '../../core/fleet';
import { sameSize, sizeOf } from '../../core/planner/group-sizing';
import { pinOf } from '../../core/pins';
import { resumeWhatLifeboatSuspended } from './scheduled-actions';
import type { StepHandler } from './step-context';
import { planOf } from './step-context';

/** Roll back: every group the operation resized goes back to its size in the snapshot. */
export const rollbackCapacity: StepHandler = async (ctx) => {
  const { plan, snapshot } = planOf(ctx);
  const touched = [...plan.groupChanges, ...plan.finalGroupChanges];
  const original = new Map(snapshot.groups.map((g) => [keyOfGroup(g), g]));
  const updates = [...new Map(touched.map((c) => [keyOfGroup(c), c])).values()]
    .filter((c) => original.has(keyOfGroup(c)))
    .map((c) => ({ ...accountOf(c), region: c.region, group: c.group, ...sizeOf(original.get(keyOfGroup(c))!) }));
  const live = await readLive(ctx, updates);
  const needed = updates.filter((u) => {
    const g = live.get(keyOfGroup(u));
    return g && !sameSize(g, u);
  });
  // Back to the sizes before: the pin records this operation wrote go too (those of an earlier one stay).
  const released = releasingPins(
    updates.filter((u) => needed.includes(u) || pinOf(live.get(keyOfGroup(u))?.tags ?? {})?.operationId === ctx.op.id),
    live,
  );
  await applySizes(ctx, released);
  const resumed = await resumeWhatLifeboatSuspended(ctx, updates);
  return {
    outcome: `${needed.length} group(s) returned to their sizes before the operation${resumed.length ? `; ScheduledActions resumed on ${resumed.length}` : ''}`,
    detail: { updates: released, ...(resumed.length ? { resumed } : {}) },
  };
};
