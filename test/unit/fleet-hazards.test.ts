import { describe, expect, it } from 'vitest';
import type { GroupDetails } from '../../src/core/fleet';
import type { OperationTiming } from '../../src/core/planner/fleet-checks';
import { checkFleetHazards, groupsGainingTraffic } from '../../src/core/planner/fleet-checks';
import { indexFleet } from '../../src/core/planner/fleet-index';
import type { GroupChange, Plan, ServicePlan } from '../../src/core/planner/plan-types';
import { assembleSnapshot } from '../../src/core/snapshot';
import { apiInThreeRegions, fleetReading } from '../support/fleet-fixture';

/**
 * checkFleetHazards on plans written by hand, so each hazard is checked against exactly the
 * groups that grow, gain traffic or are touched. The fleet: api with one group per region
 * (api-us-east-1, api-us-west-2, api-eu-west-1), records api.example.com with TTL 60 s,
 * snapshot taken at 2026-11-24T12:00:00.000Z.
 */

const TAKEN_AT = '2026-11-24T12:00:00.000Z';

function indexWith(details: Record<string, GroupDetails> = {}, ttls: Record<string, number | undefined> = {}) {
  const reading = fleetReading(apiInThreeRegions());
  reading.groups = reading.groups.map((g) => ({ ...g, ...details[g.name] }));
  const snapshot = assembleSnapshot(reading);
  snapshot.records = snapshot.records.map((r) => {
    if (!(r.region in ttls)) return r;
    const { ttl: _ttl, ...rest } = r;
    return ttls[r.region] === undefined ? rest : { ...rest, ttl: ttls[r.region]! };
  });
  return indexFleet(snapshot);
}

function change(region: string, from: number, to: number, extra: { account?: string; minSizeTo?: number } = {}): GroupChange {
  return {
    ...(extra.account ? { account: extra.account } : {}),
    region,
    group: `api-${region}`,
    service: 'api',
    from: { minSize: 2, desiredCapacity: from, maxSize: 20 },
    to: { minSize: extra.minSizeTo ?? 2, desiredCapacity: to, maxSize: 20 },
  };
}

/** Only the fields of a service's plan the hazards read: each region's share and target share. */
function servicePlan(regions: Array<[region: string, share: number, targetShare: number]>, service = 'api'): ServicePlan {
  return { service, regions: regions.map(([region, share, targetShare]) => ({ region, share, targetShare })) } as unknown as ServicePlan;
}

function planOf(over: Partial<Plan> = {}): Plan {
  return {
    kind: 'evacuate',
    intent: { kind: 'evacuate', region: 'us-east-1' },
    model: 'proportional',
    maxSizeGrowth: 1,
    snapshotTakenAt: TAKEN_AT,
    regions: ['us-east-1', 'us-west-2', 'eu-west-1'],
    names: [],
    services: [],
    groupChanges: [],
    stages: [],
    finalGroupChanges: [],
    warnings: [],
    blockers: [],
    ...over,
  };
}

/** n stages: their content does not matter to the hazards, only how many there are. */
const stages = (n: number) => Array.from({ length: n }, (_, i) => ({ index: i + 1, percent: (100 * (i + 1)) / n, weights: [], traffic: [], load: [] }));

const TIMING: OperationTiming = { capacitySeconds: 900, stageSeconds: 60 };

describe('suspended processes on groups that must grow', () => {
  it('blocks once per process growth needs (Launch, HealthCheck, ReplaceUnhealthy), saying what each stops', () => {
    const index = indexWith({ 'api-us-west-2': { suspendedProcesses: ['AZRebalance', 'Launch', 'HealthCheck', 'ScheduledActions', 'ReplaceUnhealthy', 'Terminate'] } });
    const p = planOf({ groupChanges: [change('us-west-2', 10, 15)] });
    checkFleetHazards(index, p, { timing: TIMING });
    expect(p.blockers).toEqual([
      {
        code: 'LB_ERR_PROCESS_SUSPENDED',
        message: 'api-us-west-2 (api, us-west-2) must grow, but its Launch process is suspended: it launches no instances until someone resumes it',
        details: { group: 'api-us-west-2', region: 'us-west-2', service: 'api', process: 'Launch' },
      },
      {
        code: 'LB_ERR_PROCESS_SUSPENDED',
        message: 'api-us-west-2 (api, us-west-2) must grow, but its HealthCheck process is suspended: unhealthy instances are never replaced until someone resumes it',
        details: { group: 'api-us-west-2', region: 'us-west-2', service: 'api', process: 'HealthCheck' },
      },
      {
        code: 'LB_ERR_PROCESS_SUSPENDED',
        message: 'api-us-west-2 (api, us-west-2) must grow, but its ReplaceUnhealthy process is suspended: unhealthy instances are never replaced until someone resumes it',
        details: { group: 'api-us-west-2', region: 'us-west-2', service: 'api', process: 'ReplaceUnhealthy' },
      },
    ]);
  });

  it('does not block a group whose change keeps its DesiredCapacity (only MinSize moves), nor a group that shrinks', () => {
    const index = indexWith({ 'api-us-west-2': { suspendedProcesses: ['Launch'] }, 'api-eu-west-1': { suspendedProcesses: ['Launch'] } });
    const p = planOf({ groupChanges: [change('us-west-2', 10, 10, { minSizeTo: 10 }), change('eu-west-1', 10, 9)] });
    checkFleetHazards(index, p, { timing: TIMING });
    expect(p.blockers).toEqual([]);
  });

  it('ignores a change for a group the snapshot does not hold', () => {
    const index = indexWith();
    const p = planOf({ groupChanges: [{ ...change('us-west-2', 10, 15), group: 'gone' }] });
    checkFleetHazards(index, p, { timing: TIMING });
    expect(p.blockers).toEqual([]);
    expect(p.warnings).toEqual([]);
  });

  it('names the account of a group in another account, in the message and the details', () => {
    const index = indexWith({ 'api-us-west-2': { account: '111122223333', suspendedProcesses: ['Launch'] } });
    const p = planOf({ groupChanges: [change('us-west-2', 10, 15, { account: '111122223333' })] });
    checkFleetHazards(index, p, { timing: TIMING });
    expect(p.blockers).toHaveLength(1);
    expect(p.blockers[0]!.message).toBe('api-us-west-2 (api, us-west-2, account 111122223333) must grow, but its Launch process is suspended: it launches no instances until someone resumes it');
    expect(p.blockers[0]!.details).toEqual({ group: 'api-us-west-2', region: 'us-west-2', service: 'api', account: '111122223333', process: 'Launch' });
  });
});

describe('instance types the zones of a growing group do not offer', () => {
  const zones = ['us-west-2a', 'us-west-2b', 'us-west-2c'];

  it('blocks when no zone offers any of its types, naming the zones and the types', () => {
    const index = indexWith({
      'api-us-west-2': { availabilityZones: zones, instanceTypes: [{ type: 'p5.48xlarge', offeredIn: [] }, { type: 'm5.large' }, { type: 'p4d.24xlarge', offeredIn: [] }] },
    });
    const p = planOf({ groupChanges: [change('us-west-2', 10, 15)] });
    checkFleetHazards(index, p, { timing: TIMING });
    // m5.large's zones were not read: it says nothing either way.
    expect(p.blockers).toEqual([
      {
        code: 'LB_ERR_INSTANCE_TYPE_NOT_OFFERED',
        message: 'api-us-west-2 (api, us-west-2) must grow, but none of its zones (us-west-2a, us-west-2b, us-west-2c) offers p5.48xlarge or p4d.24xlarge: its new instances would never launch',
        details: { group: 'api-us-west-2', region: 'us-west-2', service: 'api', instanceTypes: ['p5.48xlarge', 'p4d.24xlarge'], zones },
      },
    ]);
    expect(p.warnings).toEqual([]);
  });

  it('warns per type some zones lack, with the zones missing and where instances land', () => {
    const index = indexWith({
      'api-us-west-2': {
        availabilityZones: zones,
        instanceTypes: [
          { type: 'c7g.large', offeredIn: ['us-west-2b'] },
          { type: 'm7g.large', offeredIn: zones },
          { type: 'r7g.large', offeredIn: ['us-west-2a', 'us-west-2b'] },
        ],
      },
    });
    const p = planOf({ groupChanges: [change('us-west-2', 10, 15)] });
    checkFleetHazards(index, p, { timing: TIMING });
    expect(p.blockers).toEqual([]);
    expect(p.warnings).toEqual([
      {
        code: 'INSTANCE_TYPE_NOT_IN_ZONE',
        message: 'api-us-west-2 (api, us-west-2) launches c7g.large, which us-west-2a, us-west-2c do not offer: its new instances land in us-west-2b only',
        details: { group: 'api-us-west-2', region: 'us-west-2', service: 'api', instanceType: 'c7g.large', missingZones: ['us-west-2a', 'us-west-2c'] },
      },
      {
        code: 'INSTANCE_TYPE_NOT_IN_ZONE',
        message: 'api-us-west-2 (api, us-west-2) launches r7g.large, which us-west-2c does not offer: its new instances land in us-west-2a, us-west-2b only',
        details: { group: 'api-us-west-2', region: 'us-west-2', service: 'api', instanceType: 'r7g.large', missingZones: ['us-west-2c'] },
      },
    ]);
  });

  it('warns, not blocks, when one type is offered nowhere but another is offered somewhere', () => {
    const index = indexWith({
      'api-us-west-2': { availabilityZones: zones, instanceTypes: [{ type: 'p5.48xlarge', offeredIn: [] }, { type: 'c7g.large', offeredIn: zones }] },
    });
    const p = planOf({ groupChanges: [change('us-west-2', 10, 15)] });
    checkFleetHazards(index, p, { timing: TIMING });
    expect(p.blockers).toEqual([]);
    expect(p.warnings.map((w) => [w.code, w.details!.instanceType, w.details!.missingZones])).toEqual([['INSTANCE_TYPE_NOT_IN_ZONE', 'p5.48xlarge', zones]]);
  });

  it('says nothing of a growing group whose zones were read but not its instance types', () => {
    const index = indexWith({ 'api-us-west-2': { availabilityZones: zones } });
    const p = planOf({ groupChanges: [change('us-west-2', 10, 15)] });
    checkFleetHazards(index, p, { timing: TIMING });
    expect(p.blockers).toEqual([]);
    expect(p.warnings).toEqual([]);
  });

  it('says nothing without the group’s zones, or for a group that does not grow', () => {
    const types = [{ type: 'p5.48xlarge', offeredIn: [] }];
    const index = indexWith({
      'api-us-west-2': { instanceTypes: types },
      'api-eu-west-1': { availabilityZones: [], instanceTypes: types },
      'api-us-east-1': { availabilityZones: ['us-east-1a'], instanceTypes: types },
    });
    const p = planOf({ groupChanges: [change('us-west-2', 10, 15), change('eu-west-1', 10, 15), change('us-east-1', 10, 0)] });
    checkFleetHazards(index, p, { timing: TIMING });
    expect(p.blockers).toEqual([]);
    expect(p.warnings).toEqual([]);
  });
});

describe('instance refreshes on groups that grow or gain traffic', () => {
  it('warns of a refresh on a growing group, with how far it is, and how to refuse instead', () => {
    const index = indexWith({ 'api-us-west-2': { instanceRefresh: { id: 'r-1', status: 'InProgress', percentageComplete: 40 } } });
    const p = planOf({ groupChanges: [change('us-west-2', 10, 15)] });
    checkFleetHazards(index, p, { timing: TIMING });
    expect(p.blockers).toEqual([]);
    expect(p.warnings).toEqual([
      {
        code: 'INSTANCE_REFRESH_IN_PROGRESS',
        message:
          'api-us-west-2 (api, us-west-2) has an instance refresh InProgress (40% done): it replaces instances while traffic moves, so capacity in service dips as it goes; pass refusePendingRefresh: true to refuse instead',
        details: { group: 'api-us-west-2', region: 'us-west-2', service: 'api', instanceRefreshId: 'r-1', status: 'InProgress' },
      },
    ]);
  });

  it('blocks with refusePendingRefresh, and leaves out the progress it does not know', () => {
    const index = indexWith({ 'api-us-west-2': { instanceRefresh: { id: 'r-2', status: 'Pending' } } });
    const p = planOf({ groupChanges: [change('us-west-2', 10, 15)] });
    checkFleetHazards(index, p, { refusePendingRefresh: true, timing: TIMING });
    expect(p.warnings).toEqual([]);
    expect(p.blockers).toEqual([
      {
        code: 'LB_ERR_INSTANCE_REFRESH',
        message: 'api-us-west-2 (api, us-west-2) has an instance refresh Pending: it replaces instances while traffic moves, so capacity in service dips as it goes',
        details: { group: 'api-us-west-2', region: 'us-west-2', service: 'api', instanceRefreshId: 'r-2', status: 'Pending' },
      },
    ]);
  });

  it('warns once for a group that both grows and gains traffic, and for a group that only gains traffic', () => {
    const refresh = { instanceRefresh: { id: 'r-1', status: 'InProgress' } };
    const index = indexWith({ 'api-us-west-2': refresh, 'api-eu-west-1': refresh, 'api-us-east-1': refresh });
    // us-east-1 loses its share; us-west-2 gains and grows; eu-west-1 gains without growing.
    const p = planOf({
      services: [servicePlan([['us-east-1', 1 / 3, 0], ['us-west-2', 1 / 3, 1 / 2], ['eu-west-1', 1 / 3, 1 / 2]])],
      groupChanges: [change('us-west-2', 10, 15)],
    });
    checkFleetHazards(index, p, { timing: TIMING });
    expect(p.warnings.map((w) => [w.code, w.details!.group])).toEqual([
      ['INSTANCE_REFRESH_IN_PROGRESS', 'api-us-west-2'],
      ['INSTANCE_REFRESH_IN_PROGRESS', 'api-eu-west-1'],
    ]);
  });

  it('does not mind a refresh on a group whose share stays, or that is only changed after the last stage', () => {
    const refresh = { instanceRefresh: { id: 'r-1', status: 'InProgress' } };
    const index = indexWith({ 'api-us-west-2': refresh, 'api-eu-west-1': refresh, 'api-us-east-1': refresh });
    const p = planOf({
      // eu-west-1's target share is above its share by less than the 1e-12 rounding allowance.
      services: [servicePlan([['us-east-1', 0.25, 0.25], ['us-west-2', 0.5, 0.5], ['eu-west-1', 0.25, 0.25 + 1e-13]])],
      finalGroupChanges: [change('us-east-1', 10, 10, { minSizeTo: 10 })],
    });
    checkFleetHazards(index, p, { timing: TIMING });
    expect(p.warnings).toEqual([]);
    expect(p.blockers).toEqual([]);
  });
});

describe('groupsGainingTraffic', () => {
  it('lists the groups of each region whose target share is above its share', () => {
    const index = indexWith();
    const gaining = groupsGainingTraffic(index, { services: [servicePlan([['us-east-1', 0.5, 0], ['us-west-2', 0.25, 0.5], ['eu-west-1', 0.25, 0.5]])] });
    expect(gaining.map((g) => g.name)).toEqual(['api-us-west-2', 'api-eu-west-1']);
  });

  it('finds no group for a service or region without groups', () => {
    const index = indexWith();
    const gaining = groupsGainingTraffic(index, {
      services: [servicePlan([['us-west-2', 0, 1]], 'web'), servicePlan([['ap-south-1', 0, 1]])],
    });
    expect(gaining).toEqual([]);
  });
});

describe('scheduled actions due while the operation may run', () => {
  const due = (p: Plan) => p.warnings.filter((w) => w.code === 'SCHEDULED_ACTION_DUE');

  it('looks as far ahead as the capacity wait plus each stage’s sync and TTL', () => {
    // 900 s capacity + 2 stages × (60 s sync + 60 s TTL) = 1140 s = 19 min: until 12:19:00.
    const index = indexWith({
      'api-us-west-2': {
        scheduledActions: [
          { name: 'at-start', startTime: '2026-11-24T12:00:00.000Z', maxSize: 4 },
          { name: 'at-end', startTime: '2026-11-24T12:19:00.000Z', maxSize: 4 },
          { name: 'after-end', startTime: '2026-11-24T12:19:01.000Z', maxSize: 4 },
          { name: 'before-start', startTime: '2026-11-24T11:59:59.000Z', maxSize: 4 },
        ],
      },
    });
    const p = planOf({ names: ['api.example.com'], groupChanges: [change('us-west-2', 10, 15)], stages: stages(2) });
    checkFleetHazards(index, p, { timing: TIMING });
    expect(due(p).map((w) => w.details!.action)).toEqual(['at-start', 'at-end']);
    expect(due(p)[1]).toEqual({
      code: 'SCHEDULED_ACTION_DUE',
      message:
        'scheduled action at-end on api-us-west-2 (api, us-west-2) fires at 2026-11-24T12:19:00.000Z, within the 19 min this evacuation may take; it sets MaxSize 4: lifeboat suspends ScheduledActions on this group while it is pinned, and resumes it when it lets go',
      details: { group: 'api-us-west-2', region: 'us-west-2', service: 'api', action: 'at-end', at: '2026-11-24T12:19:00.000Z' },
    });
  });

  it('uses the dwell when one is configured, in place of the TTL', () => {
    // 900 s + 2 × (60 s + 300 s) = 1620 s = 27 min: until 12:27:00.
    const index = indexWith({
      'api-us-west-2': {
        scheduledActions: [
          { name: 'at-end', startTime: '2026-11-24T12:27:00.000Z', desiredCapacity: 3 },
          { name: 'after-end', startTime: '2026-11-24T12:27:01.000Z', desiredCapacity: 3 },
        ],
      },
    });
    const p = planOf({ names: ['api.example.com'], groupChanges: [change('us-west-2', 10, 15)], stages: stages(2) });
    checkFleetHazards(index, p, { timing: { capacitySeconds: 900, stageSeconds: 60, dwellSeconds: 300 } });
    expect(due(p).map((w) => w.details!.action)).toEqual(['at-end']);
    expect(due(p)[0]!.message).toContain('within the 27 min this evacuation may take; it sets DesiredCapacity 3:');
  });

  it('without group changes, waits for no capacity and takes the longest TTL of the plan’s names', () => {
    // TTLs 60 (us-east-1), 150 (us-west-2), none (eu-west-1, counted 0): the longest is 150 s.
    // No capacity wait: 2 stages × (60 s + 150 s) = 420 s = 7 min: until 12:07:00.
    const index = indexWith(
      {
        'api-eu-west-1': {
          scheduledActions: [
            { name: 'at-end', startTime: '2026-11-24T12:07:00.000Z', minSize: 0 },
            { name: 'after-end', startTime: '2026-11-24T12:07:01.000Z', minSize: 0 },
          ],
        },
      },
      { 'us-west-2': 150, 'eu-west-1': undefined },
    );
    const p = planOf({
      kind: 'shift',
      names: ['api.example.com', 'unknown.example.com'],
      services: [servicePlan([['us-east-1', 0.5, 0], ['us-west-2', 0.25, 0.25], ['eu-west-1', 0.25, 0.75]])],
      stages: stages(2),
    });
    checkFleetHazards(index, p, { timing: TIMING });
    expect(due(p)).toEqual([
      {
        code: 'SCHEDULED_ACTION_DUE',
        message:
          'scheduled action at-end on api-eu-west-1 (api, eu-west-1) fires at 2026-11-24T12:07:00.000Z, within the 7 min this shift may take; it sets MinSize 0: lifeboat does not pin this group, so the action will fire: check it leaves enough capacity',
        details: { group: 'api-eu-west-1', region: 'eu-west-1', service: 'api', action: 'at-end', at: '2026-11-24T12:07:00.000Z' },
      },
    ]);
  });

  it('takes a TTL of 0 when the plan names no records, and the default timing when none is given', () => {
    // DEFAULT_TIMING: 900 s capacity + 1 stage × (60 s + 0) = 960 s = 16 min: until 12:16:00.
    const index = indexWith({
      'api-us-west-2': {
        scheduledActions: [
          { name: 'at-end', startTime: '2026-11-24T12:16:00.000Z' },
          { name: 'after-end', startTime: '2026-11-24T12:16:01.000Z' },
        ],
      },
    });
    const p = planOf({ groupChanges: [change('us-west-2', 10, 15)], stages: stages(1) });
    checkFleetHazards(index, p);
    expect(due(p).map((w) => w.details!.action)).toEqual(['at-end']);
    expect(due(p)[0]!.message).toContain('within the 16 min this evacuation may take; it sets nothing:');
  });

  it('lists nothing for a plan expected to take no time', () => {
    const index = indexWith({ 'api-us-west-2': { scheduledActions: [{ name: 'now', startTime: TAKEN_AT, maxSize: 1 }] } });
    const p = planOf({ finalGroupChanges: [change('us-west-2', 10, 10, { minSizeTo: 4 })] });
    checkFleetHazards(index, p, { timing: TIMING });
    expect(due(p)).toEqual([]);
  });

  it('reads a recurring action from its start time or the snapshot’s, whichever is later, up to its end time', () => {
    // Horizon 19 min as above: the window is 12:00–12:19. "10 12 * * *" fires at 12:10 each day.
    const index = indexWith({
      'api-us-west-2': {
        scheduledActions: [
          { name: 'started-yesterday', recurrence: '10 12 * * *', startTime: '2026-11-23T00:00:00.000Z', minSize: 1, desiredCapacity: 2, maxSize: 3 },
          { name: 'starts-12:12', recurrence: '10 12 * * *', startTime: '2026-11-24T12:12:00.000Z' },
          { name: 'ends-12:05', recurrence: '10 12 * * *', endTime: '2026-11-24T12:05:00.000Z' },
          { name: 'ends-tomorrow', recurrence: '15 12 * * *', endTime: '2026-11-25T00:00:00.000Z', timeZone: 'UTC' },
          { name: 'malformed', recurrence: 'every day at noon' },
        ],
      },
    });
    const p = planOf({ names: ['api.example.com'], groupChanges: [change('us-west-2', 10, 15)], stages: stages(2) });
    checkFleetHazards(index, p, { timing: TIMING });
    expect(due(p).map((w) => w.details)).toEqual([
      { group: 'api-us-west-2', region: 'us-west-2', service: 'api', action: 'started-yesterday', at: '2026-11-24T12:10:00.000Z', recurrence: '10 12 * * *' },
      { group: 'api-us-west-2', region: 'us-west-2', service: 'api', action: 'ends-tomorrow', at: '2026-11-24T12:15:00.000Z', recurrence: '15 12 * * *' },
    ]);
    expect(due(p)[0]!.message).toContain('fires at 2026-11-24T12:10:00.000Z, within the 19 min this evacuation may take; it sets MinSize 1, DesiredCapacity 2, MaxSize 3:');
    expect(due(p)[1]!.message).toContain('fires at 2026-11-24T12:15:00.000Z (UTC), within');
  });

  it('does not let a one-off action’s end time stretch the window', () => {
    const index = indexWith({ 'api-us-west-2': { scheduledActions: [{ name: 'late', startTime: '2026-11-24T12:25:00.000Z', endTime: '2026-11-24T12:30:00.000Z' }] } });
    const p = planOf({ names: ['api.example.com'], groupChanges: [change('us-west-2', 10, 15)], stages: stages(2) });
    checkFleetHazards(index, p, { timing: TIMING });
    expect(due(p)).toEqual([]);
  });

  it('ignores an action without a start time or recurrence, and the actions of a group whose ScheduledActions are suspended', () => {
    const index = indexWith({
      'api-us-west-2': { scheduledActions: [{ name: 'never', maxSize: 1 }] },
      'api-eu-west-1': { suspendedProcesses: ['ScheduledActions'], scheduledActions: [{ name: 'suspended', startTime: '2026-11-24T12:05:00.000Z', maxSize: 1 }] },
    });
    const p = planOf({ names: ['api.example.com'], groupChanges: [change('us-west-2', 10, 15), change('eu-west-1', 10, 15)], stages: stages(2) });
    checkFleetHazards(index, p, { timing: TIMING });
    expect(due(p)).toEqual([]);
  });

  it('lists the actions of every group the plan touches, and of no other', () => {
    const action = (name: string) => ({ scheduledActions: [{ name, startTime: '2026-11-24T12:05:00.000Z', maxSize: 1 }] });
    const index = indexWith({ 'api-us-east-1': action('east'), 'api-us-west-2': action('west'), 'api-eu-west-1': action('eu') });
    // us-east-1 only changes after the last stage; eu-west-1 is not in the plan at all.
    const p = planOf({ names: ['api.example.com'], groupChanges: [change('us-west-2', 10, 15)], finalGroupChanges: [change('us-east-1', 10, 10, { minSizeTo: 10 })], stages: stages(2) });
    checkFleetHazards(index, p, { timing: TIMING });
    expect(due(p).map((w) => [w.details!.action, w.message.endsWith('lifeboat does not pin this group, so the action will fire: check it leaves enough capacity')])).toEqual([
      ['west', false],
      ['east', true],
    ]);
  });

  it('names the operation as the plan’s kind', () => {
    const nouns: Array<[Plan['kind'], string]> = [
      ['evacuate', 'evacuation'],
      ['shift', 'shift'],
      ['restore', 'restore'],
      ['scale', 'scaling'],
      ['reconcile', 'reconcile'],
      ['prepare-switches', 'switch preparation'],
      ['prepare-dark-capacity', 'preparation'],
      ['release-dark-capacity', 'release'],
    ];
    const index = indexWith({ 'api-us-west-2': { scheduledActions: [{ name: 'soon', startTime: '2026-11-24T12:05:00.000Z' }] } });
    for (const [kind, noun] of nouns) {
      const p = planOf({ kind, names: ['api.example.com'], groupChanges: [change('us-west-2', 10, 15)], stages: stages(2) });
      checkFleetHazards(index, p, { timing: TIMING });
      expect(due(p)[0]!.message).toContain(`within the 19 min this ${noun} may take;`);
    }
  });

  it('lists nothing when the snapshot’s time cannot be read', () => {
    const index = indexWith({ 'api-us-west-2': { scheduledActions: [{ name: 'daily', recurrence: '* * * * *' }] } });
    index.snapshot.takenAt = 'not a time';
    const p = planOf({ names: ['api.example.com'], groupChanges: [change('us-west-2', 10, 15)], stages: stages(2) });
    checkFleetHazards(index, p, { timing: TIMING });
    expect(due(p)).toEqual([]);
  });
});
