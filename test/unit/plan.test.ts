import { describe, expect, it } from 'vitest';
import { loadModels } from '../../src/app/loaders/load-models';
import type { FleetReading, GroupDetails, SnapshotWarning } from '../../src/core/fleet';
import type { Intent } from '../../src/core/intents';
import { DEFAULT_PLAN_CONTEXT, plan } from '../../src/core/planner/plan';
import { assembleSnapshot } from '../../src/core/snapshot';
import { apiInThreeRegions, fleetReading } from '../support/fleet-fixture';

/**
 * The planner's entry (plan.ts): which planner an intent goes to, the fleet checks every
 * plan gets, and the blocker for a region lifeboat could not read and holds no reading of.
 * The fleet: api with 10 instances (2 to 20) and weight 100 in each of three regions, read at
 * 2026-11-24T12:00Z, sized from instance counts.
 */
const ctx = { ...DEFAULT_PLAN_CONTEXT, defaultModel: 'proportional', models: loadModels() };

function snapshotWith(warnings: SnapshotWarning[] = [], details: Record<string, GroupDetails> = {}) {
  const reading: FleetReading = fleetReading(apiInThreeRegions());
  reading.warnings = warnings;
  reading.groups = reading.groups.map((g) => ({ ...g, ...details[g.name] }));
  return assembleSnapshot(reading);
}
const euUnreadable: SnapshotWarning = { code: 'REGION_UNREADABLE', region: 'eu-west-1', message: 'connect ETIMEDOUT' };
const UNREADABLE = 'LB_ERR_REGION_UNREADABLE';
const codes = (intent: Intent, warnings: SnapshotWarning[] = [euUnreadable]) => plan(snapshotWith(warnings), intent, ctx).blockers.map((b) => b.code);

describe('a region that could not be read', () => {
  it('blocks a move, after whatever the move itself found, naming the region and why', () => {
    const p = plan(snapshotWith([euUnreadable]), { kind: 'evacuate', region: 'us-east-1' }, ctx);
    expect(p.blockers).toEqual([
      {
        code: UNREADABLE,
        message: 'eu-west-1 could not be read and lifeboat holds no earlier reading of it: its groups and capacity are unknown (connect ETIMEDOUT)',
        details: { region: 'eu-west-1' },
      },
    ]);
    // The plan is still made, so the operator sees what it would do.
    expect(p.stages.length).toBeGreaterThan(0);
    expect(codes({ kind: 'evacuate', region: 'ap-south-1' })).toEqual(['LB_ERR_UNKNOWN_REGION', UNREADABLE]);
  });

  it('blocks one blocker per unreadable region', () => {
    const usWest: SnapshotWarning = { code: 'REGION_UNREADABLE', region: 'us-west-2', message: 'AccessDenied' };
    expect(codes({ kind: 'shift', from: 'us-east-1', percent: 50 }, [euUnreadable, usWest])).toEqual([UNREADABLE, UNREADABLE]);
  });

  it('blocks a scale in that region, and only there', () => {
    expect(codes({ kind: 'scale', region: 'eu-west-1', service: 'api', desiredCapacity: 12 })).toEqual([UNREADABLE]);
    expect(codes({ kind: 'scale', region: 'us-west-2', service: 'api', desiredCapacity: 12 })).toEqual([]);
  });

  it('blocks a restore, a reconcile and preparing dark capacity', () => {
    expect(codes({ kind: 'restore', region: 'us-east-1', previous: snapshotWith() })).toContain(UNREADABLE);
    expect(codes({ kind: 'reconcile', target: { weights: {}, bounds: [], source: 'a test' } })).toContain(UNREADABLE);
    expect(codes({ kind: 'prepare-dark-capacity' })).toContain(UNREADABLE);
  });

  it('does not block releasing dark capacity, nor preparing the switches, which need no Auto Scaling reading', () => {
    expect(codes({ kind: 'release-dark-capacity' })).not.toContain(UNREADABLE);
    const p = plan(snapshotWith([euUnreadable]), { kind: 'prepare-switches', controlRegions: ['us-east-1', 'us-west-2'], reading: { alarms: [], healthChecks: [] } }, ctx);
    expect(p.kind).toBe('prepare-switches');
    expect(p.switches).toBeDefined();
    expect(p.blockers.map((b) => b.code)).not.toContain(UNREADABLE);
  });

  it('is not said of other warnings, nor of an unreadable source that names no region', () => {
    const others: SnapshotWarning[] = [
      { code: 'REGION_FROM_SNAPSHOT', region: 'eu-west-1', message: 'read 300 s ago' },
      { code: 'REGION_UNREADABLE', message: 'no region named' },
    ];
    expect(codes({ kind: 'evacuate', region: 'us-east-1' }, others)).toEqual([]);
  });
});

describe('which planner an intent goes to', () => {
  it('plans each kind with its own planner', () => {
    const snapshot = snapshotWith();
    expect(plan(snapshot, { kind: 'evacuate', region: 'us-east-1' }, ctx)).toMatchObject({ kind: 'evacuate', region: 'us-east-1', names: ['api.example.com'] });
    expect(plan(snapshot, { kind: 'shift', from: 'us-east-1', percent: 50 }, ctx)).toMatchObject({ kind: 'shift', region: 'us-east-1', names: ['api.example.com'] });
    expect(plan(snapshot, { kind: 'scale', region: 'us-west-2', service: 'api', desiredCapacity: 12 }, ctx).groupChanges).toMatchObject([{ group: 'api-us-west-2', to: { desiredCapacity: 12 } }]);
    expect(plan(snapshot, { kind: 'restore', region: 'us-east-1', previous: snapshot }, ctx).blockers.map((b) => b.code)).toEqual(['LB_ERR_REGION_NOT_EVACUATED']);
    expect(plan(snapshot, { kind: 'prepare-dark-capacity' }, ctx).warmPoolChanges!.length).toBeGreaterThan(0);
    expect(plan(snapshot, { kind: 'release-dark-capacity' }, ctx).blockers.map((b) => b.code)).toEqual(['LB_ERR_NOTHING_TO_DO']);
    expect(plan(snapshot, { kind: 'reconcile', target: { weights: {}, bounds: [], source: 'a test' } }, ctx).kind).toBe('reconcile');
  });
});

describe('the fleet checks every plan gets', () => {
  const refreshing = { 'api-eu-west-1': { instanceRefresh: { id: 'r-1', status: 'InProgress', percentageComplete: 40 } } };

  it('warns of an instance refresh on a survivor unless asked to refuse, and refusePendingRefresh: false does not refuse', () => {
    const warned = plan(snapshotWith([], refreshing), { kind: 'evacuate', region: 'us-east-1', refusePendingRefresh: false }, ctx);
    expect(warned.blockers).toEqual([]);
    expect(warned.warnings.map((w) => w.code)).toEqual(['INSTANCE_REFRESH_IN_PROGRESS']);
    const refused = plan(snapshotWith([], refreshing), { kind: 'evacuate', region: 'us-east-1', refusePendingRefresh: true }, ctx);
    expect(refused.blockers.map((b) => b.code)).toEqual(['LB_ERR_INSTANCE_REFRESH']);
  });

  it('looks for scheduled actions over as long as the context says an operation may take', () => {
    // A one-off action at 12:25 on a survivor. By default an evacuation may take 15 min + 2 stages × (1 min + 60 s TTL)
    // = 19 min, to 12:19: not due. Allowing 30 min for capacity: 30 + 4 = 34 min, to 12:34: due.
    const action = { 'api-us-west-2': { scheduledActions: [{ name: 'late', startTime: '2026-11-24T12:25:00.000Z', desiredCapacity: 2 }] } };
    const due = (c: typeof ctx) => plan(snapshotWith([], action), { kind: 'evacuate', region: 'us-east-1' }, c).warnings.filter((w) => w.code === 'SCHEDULED_ACTION_DUE');
    expect(due(ctx)).toEqual([]);
    expect(due({ ...ctx, timing: { capacitySeconds: 1800, stageSeconds: 60 } }).map((w) => w.details!.action)).toEqual(['late']);
  });

  it('says how much growth warm pools cover only when a growing group has one', () => {
    const plain = plan(snapshotWith(), { kind: 'evacuate', region: 'us-east-1' }, ctx);
    expect('warmCoverage' in plain).toBe(false);
    // api grows 10 → 16 in each survivor (10 + 30 × 1/6 × 1.1 = 15.5 → 16); us-west-2's pool holds 4 warm.
    const pooled = plan(snapshotWith([], { 'api-us-west-2': { warmPool: { size: 4, minSize: 4, poolState: 'Stopped' } } }), { kind: 'evacuate', region: 'us-east-1' }, ctx);
    expect(pooled.warmCoverage).toEqual([
      { service: 'api', region: 'us-west-2', growth: 6, warm: 4, cold: 2 },
      { service: 'api', region: 'eu-west-1', growth: 6, warm: 0, cold: 6 },
    ]);
  });
});
