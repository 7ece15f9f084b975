import { applySizes, readLive, releasingPins } from './group-sizes';
import { accountOf, keyOfGroup } from '../../core/fleet';
import { resumeWhatLifeboatSuspended } from './scheduled-actions';
import type { StepHandler } from './step-context';
import { planOf } from './step-context';

/**
 * After the last stage: groups go back to their old MinSize and MaxSize; DesiredCapacity
 * stays where their own scaling has it (within the old bounds) unless the plan says otherwise.
 * A group back at the bounds its pin record says it had (core/pins.ts) loses the record, and
 * what lifeboat suspended when it pinned it runs again.
 */
export const finalize: StepHandler = async (ctx) => {
  const { plan } = planOf(ctx);
  const { intent } = ctx.op;
  const scaleDownSurvivors = intent.kind === 'restore' && intent.scaleDownSurvivors === true;
  const live = await readLive(ctx, plan.finalGroupChanges, { sizesOnly: true });
  const updates = plan.finalGroupChanges
    .filter((c) => live.has(keyOfGroup(c)))
    .map((c) => {
      const now = live.get(keyOfGroup(c))!;
      const desired =
        scaleDownSurvivors && c.region !== plan.region ? c.to.desiredCapacity : Math.min(Math.max(now.desiredCapacity, c.to.minSize), c.to.maxSize);
      return { ...accountOf(c), region: c.region, group: c.group, minSize: c.to.minSize, desiredCapacity: desired, maxSize: c.to.maxSize };
    });
  const released = releasingPins(updates, live, intent.kind === 'reconcile');
  await applySizes(ctx, released);
  const resumed = await resumeWhatLifeboatSuspended(ctx, plan.finalGroupChanges);
  return {
    outcome: `${updates.length} group(s) returned to their own scaling${resumed.length ? `; ScheduledActions resumed on ${resumed.length}` : ''}`,
    detail: { updates: released, ...(resumed.length ? { resumed } : {}) },
  };
};
