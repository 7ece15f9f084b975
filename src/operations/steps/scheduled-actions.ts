import type { AutoScalingGroupReading } from '../../core/fleet';
import { accountOf, keyOfGroup } from '../../core/fleet';
import type { GroupRef } from '../../cloud/ports';
import type { StepContext } from './step-context';

/**
 * Scheduled actions set MinSize, MaxSize and DesiredCapacity directly: a scale-in at night
 * would undo a pin in the middle of an evacuation. So lifeboat suspends the ScheduledActions
 * process on every group it pins, notes that it did (before doing it, so a retry never takes
 * its own suspension for someone else's), and resumes exactly that when it lets the group
 * go: never a process that was suspended before it came.
 */

export const SCHEDULED_ACTIONS = 'ScheduledActions';

/** Suspends ScheduledActions on the pinned groups that still run it; returns the groups lifeboat suspended it on now. */
export async function suspendScheduledActions(ctx: StepContext, groups: readonly GroupRef[], live: ReadonlyMap<string, AutoScalingGroupReading>): Promise<GroupRef[]> {
  const ours = new Set((await ctx.store.suspensionsOf(groups)).filter((r) => r.processes.includes(SCHEDULED_ACTIONS)).map((r) => keyOfGroup(r)));
  const toSuspend = groups.filter((g) => !ours.has(keyOfGroup(g)) && !live.get(keyOfGroup(g))?.suspendedProcesses?.includes(SCHEDULED_ACTIONS));
  const at = ctx.clock.now().toISOString();
  await Promise.all(
    toSuspend.map(async (g) => {
      await ctx.store.noteSuspended({ ...accountOf(g), region: g.region, group: g.group, processes: [SCHEDULED_ACTIONS], operationId: ctx.op.id, at });
      await ctx.cloud.suspendProcesses({ ...accountOf(g), region: g.region, group: g.group, processes: [SCHEDULED_ACTIONS] });
    }),
  );
  return toSuspend.map((g) => ({ ...accountOf(g), region: g.region, group: g.group }));
}

/** Resumes what lifeboat suspended on these groups, and only that; returns what it resumed. */
export async function resumeWhatLifeboatSuspended(ctx: StepContext, groups: readonly GroupRef[]): Promise<Array<GroupRef & { processes: string[] }>> {
  const records = await ctx.store.suspensionsOf(groups);
  await Promise.all(records.map((r) => ctx.cloud.resumeProcesses({ ...accountOf(r), region: r.region, group: r.group, processes: r.processes })));
  await ctx.store.forgetSuspended(records);
  return records.map((r) => ({ ...accountOf(r), region: r.region, group: r.group, processes: r.processes }));
}
