import { afterEach, describe, expect, it } from 'vitest';
import { DryRunCloud } from '../../src/cloud/dry-run/dry-run-cloud';
import { takeSnapshot } from '../../src/operations/fleet-snapshot';
import { planRequest } from '../../src/operations/plan-request';
import { submitOperation } from '../../src/operations/submit-operation';
import { cancelOperation } from '../../src/operations/activity';
import { ACCEPTED_READ_MAX_AGE_MS } from '../../src/operations/steps/guard';
import type { TestLifeboat } from '../support/harness';
import { testLifeboat } from '../support/harness';
import { untilStep } from '../support/fault-scenarios';
import { apiInThreeRegions, fleetReading } from '../support/fleet-fixture';

const services = apiInThreeRegions;

let lb: TestLifeboat | undefined;
afterEach(async () => {
  await lb?.close();
  lb = undefined;
});

const weightsOf = async (cloud: DryRunCloud) => Object.fromEntries((await takeSnapshot(cloud)).traffic.map((t) => [t.region, t.weight]));
const sizesOf = async (cloud: DryRunCloud) =>
  Object.fromEntries((await takeSnapshot(cloud)).groups.map((g) => [g.region, [g.minSize, g.desiredCapacity, g.maxSize]]));

describe('operations on the dry-run cloud, through the real queue', () => {
  it('evacuates a region and restores it, ending where it started', async () => {
    const cloud = new DryRunCloud(fleetReading(services()));
    lb = testLifeboat(cloud);
    lb.startWorker();
    const before = { weights: await weightsOf(cloud), sizes: await sizesOf(cloud) };

    const evac = await submitOperation({ kind: 'evacuate', pace: 'stages', region: 'us-east-1' }, { actor: 'test' }, lb.deps);
    if (evac.dryRun) throw new Error('not a dry run');
    const done = await lb.waitFor(evac.operation.id);
    expect(done.state).toBe('succeeded');
    expect(done.steps.map((s) => [s.id, s.state])).toEqual([
      ['guard', 'succeeded'],
      ['prescale', 'succeeded'],
      ['await-capacity', 'succeeded'],
      ['stage-1/apply-weights', 'succeeded'],
      ['stage-1/await-dns', 'succeeded'],
      ['stage-1/dwell', 'succeeded'],
      ['stage-1/verify', 'succeeded'],
      ['stage-2/apply-weights', 'succeeded'],
      ['stage-2/await-dns', 'succeeded'],
      ['stage-2/dwell', 'succeeded'],
      ['stage-2/verify', 'succeeded'],
    ]);
    expect(await weightsOf(cloud)).toEqual({ 'us-east-1': 0, 'us-west-2': 150, 'eu-west-1': 150 });
    // 10 + 30 × 1/6 × 1.1 = 15.5 → 16, pinned.
    expect(await sizesOf(cloud)).toEqual({ 'us-east-1': [2, 10, 20], 'us-west-2': [16, 16, 20], 'eu-west-1': [16, 16, 20] });

    const rest = await submitOperation({ kind: 'restore', region: 'us-east-1' }, { actor: 'test' }, lb.deps);
    if (rest.dryRun) throw new Error('not a dry run');
    const restored = await lb.waitFor(rest.operation.id);
    expect(restored.error).toBeUndefined();
    expect(restored.state).toBe('succeeded');
    expect(await weightsOf(cloud)).toEqual(before.weights);
    // Survivors get their MinSize back; their DesiredCapacity is left to their own scaling.
    expect(await sizesOf(cloud)).toEqual({ 'us-east-1': [2, 10, 20], 'us-west-2': [2, 16, 20], 'eu-west-1': [2, 16, 20] });
  });

  it('publishes what happens as events, in order, readable from any point', async () => {
    const cloud = new DryRunCloud(fleetReading(services()));
    lb = testLifeboat(cloud);
    lb.startWorker();
    const evac = await submitOperation({ kind: 'evacuate', pace: 'stages', region: 'us-east-1', stages: 1 }, { actor: 'test' }, lb.deps);
    if (evac.dryRun) throw new Error('not a dry run');
    await lb.waitFor(evac.operation.id);
    const events = await lb.deps.events.read(evac.operation.id, '0', 10);
    expect(events.map((e) => (e.type.startsWith('step') ? `${e.type} ${String(e.data.step)}` : e.type))).toEqual([
      'operation.started',
      'step.started guard',
      'step.finished guard',
      'step.started prescale',
      'step.finished prescale',
      'step.started await-capacity',
      'capacity.progress',
      'step.finished await-capacity',
      'step.started stage-1/apply-weights',
      'weights.applied',
      'step.finished stage-1/apply-weights',
      'step.started stage-1/await-dns',
      'step.finished stage-1/await-dns',
      'step.started stage-1/dwell',
      'step.finished stage-1/dwell',
      'step.started stage-1/verify',
      'step.finished stage-1/verify',
      'operation.finished',
    ]);
    expect(events[events.length - 1]!.data.state).toBe('succeeded');
    // Resuming after an event gives only what came after it.
    const later = await lb.deps.events.read(evac.operation.id, events[5]!.id, 10);
    expect(later.map((e) => e.id)).toEqual(events.slice(6).map((e) => e.id));
  });

  it('plans from a cached fleet read, but never from one older than lifeboat’s own last change', async () => {
    const cloud = new DryRunCloud(fleetReading(services()));
    lb = testLifeboat(cloud, { LIFEBOAT_SNAPSHOT_CACHE_MS: '60000' });
    lb.startWorker();
    const before = await planRequest({ kind: 'evacuate', region: 'us-east-1' }, lb.deps);
    const again = await planRequest({ kind: 'evacuate', region: 'us-east-1' }, lb.deps);
    expect(again.snapshot).toBe(before.snapshot);
    const evac = await submitOperation({ kind: 'evacuate', region: 'us-east-1' }, { actor: 'test' }, lb.deps);
    if (evac.dryRun) throw new Error('not a dry run');
    expect((await lb.waitFor(evac.operation.id)).state).toBe('succeeded');
    // Within the cache's minute, but after the evacuation changed the fleet: the restore plan sees it.
    const restore = await planRequest({ kind: 'restore', region: 'us-east-1' }, lb.deps);
    expect(restore.plan.blockers, JSON.stringify(restore.plan.blockers)).toEqual([]);
    expect(restore.snapshot.traffic.find((t) => t.region === 'us-east-1')!.weight).toBe(0);
  });

  describe('the guard and the fleet read the operation was accepted on', () => {
    // Every read of the dry-run cloud is stamped one second after the one before, so a
    // snapshot's takenAt says which read it came from.
    const stampedCloud = () => {
      let reads = 0;
      return new DryRunCloud(fleetReading(services()), { now: () => new Date(Date.UTC(2026, 0, 1) + ++reads * 1000) });
    };
    // Real time, shifted by what the test adds: the guard judges the accepted read's age by it.
    const shiftedClock = () => {
      let shiftMs = 0;
      return { now: () => new Date(Date.now() + shiftMs), sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)), shift: (ms: number) => (shiftMs += ms) };
    };

    type Shift = (ms: number) => number;
    async function acceptedAndGuarded(between: (lb: TestLifeboat, shift: Shift) => Promise<unknown>) {
      const clock = shiftedClock();
      const cloud = stampedCloud();
      // Counted: the calls asking AWS which of the groups the plan grows have an instance refresh under way.
      let refreshReads = 0;
      const readInstanceRefreshes = cloud.readInstanceRefreshes.bind(cloud);
      cloud.readInstanceRefreshes = (groups) => {
        refreshReads++;
        return readInstanceRefreshes(groups);
      };
      lb = testLifeboat(cloud, {}, clock);
      const evac = await submitOperation({ kind: 'evacuate', region: 'us-east-1' }, { actor: 'test' }, lb.deps);
      if (evac.dryRun) throw new Error('not a dry run');
      const accepted = (await lb.deps.store.snapshotOf(evac.operation.id))!.snapshot.takenAt;
      await between(lb, clock.shift);
      lb.startWorker();
      expect((await lb.waitFor(evac.operation.id)).state).toBe('succeeded');
      return { accepted, guarded: (await lb.deps.store.snapshotOf(evac.operation.id))!.snapshot.takenAt, refreshReads };
    }

    it('plans on the accepted read when the guard starts at once and lifeboat changed nothing since, with the instance refreshes read on acceptance', async () => {
      const { accepted, guarded, refreshReads } = await acceptedAndGuarded(async () => undefined);
      expect(guarded).toBe(accepted);
      // Read once, for the request's plan: the guard's plan on the same read grows the same groups.
      expect(refreshReads).toBe(1);
    });

    it('reads the fleet and the instance refreshes again when the accepted read is more than 2 s old', async () => {
      const { accepted, guarded, refreshReads } = await acceptedAndGuarded(async (_lb, shift) => shift(ACCEPTED_READ_MAX_AGE_MS + 1000));
      expect(guarded).not.toBe(accepted);
      expect(refreshReads).toBe(2);
    });

    it('reads the fleet again when lifeboat changed the fleet after accepting', async () => {
      const { accepted, guarded } = await acceptedAndGuarded((l) => l.redis.incr(`${l.deps.settings.LIFEBOAT_REDIS_PREFIX}:fleet-version`));
      expect(guarded).not.toBe(accepted);
    });
  });

  it('scales a service down as well as up: a scale sets exactly the sizes asked for', async () => {
    const cloud = new DryRunCloud(fleetReading(services()));
    lb = testLifeboat(cloud);
    lb.startWorker();
    for (const desired of [14, 6]) {
      const op = await submitOperation({ kind: 'scale', region: 'us-west-2', service: 'api', desiredCapacity: desired }, { actor: 'test' }, lb.deps);
      if (op.dryRun) throw new Error('not a dry run');
      expect((await lb.waitFor(op.operation.id)).state).toBe('succeeded');
      expect((await sizesOf(cloud))['us-west-2']![1]).toBe(desired);
    }
  });

  it('refuses an evacuation that leaves no serving region, and queues nothing', async () => {
    const s = services();
    s[0]!.regions['us-west-2']!.weight = 0;
    s[0]!.regions['eu-west-1']!.weight = 0;
    lb = testLifeboat(new DryRunCloud(fleetReading(s)));
    await expect(submitOperation({ kind: 'evacuate', region: 'us-east-1' }, { actor: 'test' }, lb.deps)).rejects.toMatchObject({ code: 'LB_ERR_NO_SERVING_REGION' });
    expect(await lb.deps.queue.list()).toEqual([]);
  });

  it('refuses a restore of a region that is not evacuated', async () => {
    lb = testLifeboat(new DryRunCloud(fleetReading(services())));
    await expect(submitOperation({ kind: 'restore', region: 'us-east-1' }, { actor: 'test' }, lb.deps)).rejects.toMatchObject({ code: 'LB_ERR_REGION_NOT_EVACUATED' });
  });

  it('cancels with rollback: weights go back, then capacity', async () => {
    const cloud = new DryRunCloud(fleetReading(services()));
    lb = testLifeboat(cloud, { LIFEBOAT_DWELL: '3' });
    lb.startWorker();
    const before = { weights: await weightsOf(cloud), sizes: await sizesOf(cloud) };
    const evac = await submitOperation({ kind: 'evacuate', pace: 'stages', region: 'us-east-1' }, { actor: 'test' }, lb.deps);
    if (evac.dryRun) throw new Error('not a dry run');
    // Wait until stage 1 is dwelling (failing if it never gets there), then cancel.
    await untilStep(lb, evac.operation.id, 'stage-1/dwell', 'running', 30_000);
    await cancelOperation(evac.operation.id, { by: 'test', rollback: true }, lb.deps);
    const cancelled = await lb.waitFor(evac.operation.id);
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.steps.find((s) => s.id === 'stage-1/dwell')!.state).toBe('skipped');
    expect(cancelled.steps.filter((s) => s.id.startsWith('rollback/')).map((s) => s.state)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(await weightsOf(cloud)).toEqual(before.weights);
    expect(await sizesOf(cloud)).toEqual(before.sizes);
  });
});

describe('scheduled actions while lifeboat pins groups', () => {
  it('suspends ScheduledActions on every group it pins and resumes, on restore, exactly what it suspended', async () => {
    const reading = fleetReading(services());
    // eu-west-1's scheduled actions were suspended by someone else before lifeboat came: they stay so.
    reading.groups = reading.groups.map((g) => (g.region === 'eu-west-1' ? { ...g, suspendedProcesses: ['ScheduledActions'] } : g));
    const cloud = new DryRunCloud(reading);
    lb = testLifeboat(cloud);
    lb.startWorker();
    const suspended = async () => Object.fromEntries((await takeSnapshot(cloud)).groups.map((g) => [g.name, g.suspendedProcesses ?? []]));

    const evac = await submitOperation({ kind: 'evacuate', region: 'us-east-1' }, { actor: 'test' }, lb.deps);
    if (evac.dryRun) throw new Error('not a dry run');
    const done = await lb.waitFor(evac.operation.id);
    expect(done.state).toBe('succeeded');
    expect(await suspended()).toEqual({ 'api-us-east-1': [], 'api-us-west-2': ['ScheduledActions'], 'api-eu-west-1': ['ScheduledActions'] });
    expect(cloud.calls.filter((c) => c.action === 'suspendProcesses').map((c) => 'update' in c && c.update.group)).toEqual(['api-us-west-2']);

    const rest = await submitOperation({ kind: 'restore', region: 'us-east-1' }, { actor: 'test' }, lb.deps);
    if (rest.dryRun) throw new Error('not a dry run');
    const restored = await lb.waitFor(rest.operation.id);
    expect(restored.state).toBe('succeeded');
    expect(await suspended()).toEqual({ 'api-us-east-1': [], 'api-us-west-2': [], 'api-eu-west-1': ['ScheduledActions'] });
    // The restore pinned us-east-1 while its traffic came back, so it suspended and resumed there too; never in eu-west-1.
    const groupsOf = (action: string) => cloud.calls.filter((c) => c.action === action).map((c) => ('update' in c ? c.update.group : '')).sort();
    expect(groupsOf('suspendProcesses')).toEqual(['api-us-east-1', 'api-us-west-2']);
    expect(groupsOf('resumeProcesses')).toEqual(['api-us-east-1', 'api-us-west-2']);
  });
});
