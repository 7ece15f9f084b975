import { describe, expect, it } from 'vitest';
import { loadModels } from '../../src/app/loaders/load-models';
import type { AutoScalingGroupReading, GroupDetails } from '../../src/core/fleet';
import { nextFiring } from '../../src/core/planner/cron';
import { DEFAULT_PLAN_CONTEXT, plan } from '../../src/core/planner/plan';
import { assembleSnapshot } from '../../src/core/snapshot';
import { renderPlan } from '../../src/text/plan-text';
import { apiInThreeRegions, fleetReading } from '../support/fleet-fixture';

// Sized from instance counts (the fixture has no measured load), so the only warnings are the hazards'.
const ctx = { ...DEFAULT_PLAN_CONTEXT, defaultModel: 'proportional', models: loadModels(), timing: { capacitySeconds: 900, stageSeconds: 60 } };
// The fixture's snapshot is taken at 2026-11-24T12:00Z; an evacuation may take 15 min + 2 stages × (1 min + 60 s TTL) = 19 min.

function fleetWith(details: Record<string, GroupDetails>) {
  const reading = fleetReading(apiInThreeRegions());
  reading.groups = reading.groups.map((g: AutoScalingGroupReading) => ({ ...g, ...details[g.name] }));
  return assembleSnapshot(reading);
}

const evacuateEast = { kind: 'evacuate' as const, region: 'us-east-1' };

describe('what production groups carry, in the plan', () => {
  it('blocks when a survivor that must grow has Launch suspended, naming the group and the process', () => {
    const p = plan(fleetWith({ 'api-us-west-2': { suspendedProcesses: ['AZRebalance', 'Launch'] } }), evacuateEast, ctx);
    expect(p.blockers).toMatchObject([{ code: 'LB_ERR_PROCESS_SUSPENDED', details: { group: 'api-us-west-2', region: 'us-west-2', process: 'Launch' } }]);
    expect(p.blockers[0]!.message).toContain('api-us-west-2 (api, us-west-2) must grow, but its Launch process is suspended');
  });

  it('does not mind a suspended process that does not stop growth, nor one on a group that does not grow', () => {
    const p = plan(fleetWith({ 'api-us-west-2': { suspendedProcesses: ['AZRebalance'] }, 'api-us-east-1': { suspendedProcesses: ['Launch'] } }), evacuateEast, ctx);
    expect(p.blockers).toEqual([]);
  });

  it('warns of an instance refresh under way on a survivor, and refuses with refusePendingRefresh', () => {
    const refreshing = { 'api-eu-west-1': { instanceRefresh: { id: 'r-1', status: 'InProgress', percentageComplete: 40 } } };
    const warned = plan(fleetWith(refreshing), evacuateEast, ctx);
    expect(warned.blockers).toEqual([]);
    expect(warned.warnings).toMatchObject([{ code: 'INSTANCE_REFRESH_IN_PROGRESS', details: { group: 'api-eu-west-1', instanceRefreshId: 'r-1' } }]);
    const refused = plan(fleetWith(refreshing), { ...evacuateEast, refusePendingRefresh: true }, ctx);
    expect(refused.blockers.map((b) => b.code)).toEqual(['LB_ERR_INSTANCE_REFRESH']);
  });

  it('blocks a growing group whose instance type no zone of it offers; warns when only some zones lack it', () => {
    const none = plan(fleetWith({ 'api-us-west-2': { availabilityZones: ['us-west-2a', 'us-west-2b'], instanceTypes: [{ type: 'p5.48xlarge', offeredIn: [] }] } }), evacuateEast, ctx);
    expect(none.blockers).toMatchObject([{ code: 'LB_ERR_INSTANCE_TYPE_NOT_OFFERED', details: { group: 'api-us-west-2', instanceTypes: ['p5.48xlarge'] } }]);
    const some = plan(fleetWith({ 'api-us-west-2': { availabilityZones: ['us-west-2a', 'us-west-2b'], instanceTypes: [{ type: 'c7g.large', offeredIn: ['us-west-2b'] }] } }), evacuateEast, ctx);
    expect(some.blockers).toEqual([]);
    expect(some.warnings).toMatchObject([{ code: 'INSTANCE_TYPE_NOT_IN_ZONE', details: { missingZones: ['us-west-2a'] } }]);
  });

  it('lists scheduled actions due while the operation may run, and only those', () => {
    const p = plan(
      fleetWith({
        'api-us-west-2': {
          scheduledActions: [
            { name: 'lunch-scale-in', recurrence: '10 12 * * *', minSize: 1, desiredCapacity: 2 },
            { name: 'night', recurrence: '0 2 * * *', desiredCapacity: 1 },
            { name: 'one-off', startTime: '2026-11-24T12:15:00.000Z', maxSize: 4 },
          ],
        },
      }),
      evacuateEast,
      ctx,
    );
    const due = p.warnings.filter((w) => w.code === 'SCHEDULED_ACTION_DUE');
    expect(due.map((w) => [w.details!.action, w.details!.at])).toEqual([
      ['lunch-scale-in', '2026-11-24T12:10:00.000Z'],
      ['one-off', '2026-11-24T12:15:00.000Z'],
    ]);
    expect(due[0]!.message).toContain('lifeboat suspends ScheduledActions on this group while it is pinned');
  });

  it('shows a newcomer each hazard of an evacuation: a scheduled action, a suspended process, a refresh', () => {
    const p = plan(
      fleetWith({
        'api-us-west-2': { scheduledActions: [{ name: 'lunch-scale-in', recurrence: '10 12 * * *', minSize: 1, desiredCapacity: 2 }], suspendedProcesses: ['HealthCheck'] },
        'api-eu-west-1': { instanceRefresh: { id: 'r-1', status: 'InProgress', percentageComplete: 40 } },
      }),
      evacuateEast,
      ctx,
    );
    const text = renderPlan(p);
    expect(text).toContain('LB_ERR_PROCESS_SUSPENDED');
    expect(text).toContain('HealthCheck process is suspended');
    expect(text).toContain('SCHEDULED_ACTION_DUE: scheduled action lunch-scale-in on api-us-west-2');
    expect(text).toContain('INSTANCE_REFRESH_IN_PROGRESS: api-eu-west-1');
    if (process.env.SHOW_PLAN) console.log(text);
  });
});

describe('nextFiring (cron)', () => {
  const t = (iso: string) => Date.parse(iso);
  it('finds the next minute a five-field expression matches, within the window', () => {
    expect(nextFiring('0 2 * * *', t('2026-12-07T01:30:00Z'), t('2026-12-07T03:30:00Z'))).toBe(t('2026-12-07T02:00:00Z'));
    expect(nextFiring('0 2 * * *', t('2026-12-07T02:01:00Z'), t('2026-12-07T03:30:00Z'))).toBeUndefined();
    expect(nextFiring('*/15 9-17 * * MON-FRI', t('2026-12-05T12:00:00Z'), t('2026-12-08T12:00:00Z'))).toBe(t('2026-12-07T09:00:00Z'));
  });
  it('reads the hours in the action’s time zone', () => {
    // 02:00 in New York is 07:00 UTC in December.
    expect(nextFiring('0 2 * * *', t('2026-12-07T00:00:00Z'), t('2026-12-07T12:00:00Z'), 'America/New_York')).toBe(t('2026-12-07T07:00:00Z'));
  });
});
