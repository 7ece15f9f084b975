import type { WarmPoolUpdate } from '../../cloud/ports';
import { LifeboatError } from '../../core/errors';
import type { AutoScalingGroupReading } from '../../core/fleet';
import { accountOf, keyOfGroup } from '../../core/fleet';
import { warmPoolIsOurs } from '../../core/planner/dark-capacity-plan';
import type { WarmPoolChange } from '../../core/planner/plan-types';
import { readLive } from './group-sizes';
import type { StepHandler } from './step-context';
import { planOf } from './step-context';

/**
 * Set the plan's warm pools (absolute settings) and delete those it releases, then read them
 * back. Only pools lifeboat created are changed or deleted: a group that has, by now, a pool
 * someone else made is left as it is and named in the outcome. Running it twice is harmless.
 */
export const setWarmPools: StepHandler = async (ctx) => {
  const changes = planOf(ctx).plan.warmPoolChanges ?? [];
  const live = await readLive(ctx, changes);
  const gone = changes.filter((c) => !live.has(keyOfGroup(c)));
  if (gone.length > 0) throw new LifeboatError('LB_ERR_AWS_REJECTED', `groups disappeared since the plan: ${gone.map((c) => c.group).join(', ')}`, { groups: gone.map((c) => c.group) });
  const theirs = changes.filter((c) => {
    const g = live.get(keyOfGroup(c))!;
    return g.warmPool !== undefined && !warmPoolIsOurs(g);
  });
  const ours = changes.filter((c) => !theirs.includes(c));
  const sets = ours.filter((c) => c.to !== null).map((c): WarmPoolUpdate => ({ ...accountOf(c), region: c.region, group: c.group, settings: c.to!, created: true }));
  const deletes = ours.filter((c) => c.to === null && live.get(keyOfGroup(c))!.warmPool !== undefined);
  await Promise.all([...sets.map((u) => ctx.cloud.setWarmPool(u)), ...deletes.map((c) => ctx.cloud.deleteWarmPool({ ...accountOf(c), region: c.region, group: c.group }))]);
  const after = await readLive(ctx, ours);
  const wrong = ours.filter((c) => !matches(c, after.get(keyOfGroup(c))));
  if (wrong.length > 0) {
    throw new LifeboatError('LB_ERR_AWS_REJECTED', `read-back after setting warm pools differs for ${wrong.map((c) => `${c.group} (${c.region})`).join(', ')}`, {
      groups: wrong.map((c) => ({ region: c.region, group: c.group, wanted: c.to, live: after.get(keyOfGroup(c))?.warmPool ?? null })),
    });
  }
  const said = [
    sets.length ? `${sets.length} warm pool(s) set` : '',
    deletes.length ? `${deletes.length} warm pool(s) lifeboat created deleted` : '',
    theirs.length ? `left alone (warm pools lifeboat did not create): ${theirs.map((c) => `${c.group} (${c.region})`).join(', ')}` : '',
  ].filter(Boolean);
  return {
    outcome: said.join('; ') || 'nothing to change',
    detail: { set: sets, deleted: deletes.map((c) => ({ ...accountOf(c), region: c.region, group: c.group })), leftAlone: theirs.map((c) => ({ region: c.region, group: c.group })) },
  };
};

/** The group now shows what the change asked: its settings and lifeboat's tag, or no pool at all. */
function matches(change: WarmPoolChange, group: AutoScalingGroupReading | undefined): boolean {
  if (!group) return false;
  if (change.to === null) return group.warmPool === undefined && !warmPoolIsOurs(group);
  const pool = group.warmPool;
  return (
    warmPoolIsOurs(group) &&
    pool?.minSize === change.to.minSize &&
    pool.maxGroupPreparedCapacity === change.to.maxGroupPreparedCapacity &&
    (pool.poolState ?? 'Stopped') === change.to.poolState
  );
}
