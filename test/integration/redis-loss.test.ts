import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PIN_TAGS, TAG_PINNED_BY } from '../../src/core/pins';
import type { TestApi } from '../support/api-client';
import { startApi } from '../support/api-client';
import { FAULT_FLEET, figures, submit, untilStep } from '../support/fault-scenarios';
import type { TestLifeboat } from '../support/harness';
import { testLifeboat } from '../support/harness';
import type { AwsState, MotoFleet } from '../support/moto-fleet';
import { startMotoFleet } from '../support/moto-fleet';
import { deleteKeysMatching } from '../support/redis-cleanup';

/**
 * Redis loses every key lifeboat had (a restart without persistence, a flush) in the middle
 * of an evacuation: stage 1's weights are in Route 53 and the survivors are pinned. The
 * worker lets go of the operation it can no longer find and takes no lease for it again;
 * AWS still carries lifeboat's pin records, so GET /v1/fleet says what was left unfinished,
 * and a reconcile (planned first) returns the fleet to the weights and bounds they hold.
 */

const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];
const LEASE_TTL_S = 3;

let fleet: MotoFleet;
let lb: TestLifeboat;
let api: TestApi;
let initial: AwsState;

beforeAll(async () => {
  fleet = await startMotoFleet(FAULT_FLEET);
  initial = await fleet.state();
  lb = testLifeboat(fleet.cloud(), { LIFEBOAT_LEASE_TTL: String(LEASE_TTL_S) });
  lb.startWorker();
  api = await startApi(lb);
}, 60_000);

afterAll(async () => {
  await api?.close();
  await lb?.close();
  await fleet?.stop();
});

/** Every group's tags as AWS holds them, by "region/group". */
async function tagsInAws(): Promise<Record<string, Record<string, string>>> {
  const reading = await fleet.cloud().readFleet();
  return Object.fromEntries(reading.groups.map((g) => [`${g.region}/${g.name}`, g.tags]));
}

/** Watches the region leases for `ms`: every holder seen on the way (none is what a lost operation must leave). */
async function leaseHoldersFor(ms: number): Promise<string[]> {
  const seen = new Set<string>();
  const until = Date.now() + ms;
  while (Date.now() < until) {
    for (const r of REGIONS) {
      const holder = await lb.deps.leases.holder(r);
      if (holder) seen.add(holder);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return [...seen];
}

describe('Redis loses its keys in the middle of an evacuation', () => {
  it('no lease comes back for the lost operation; GET /v1/fleet reports the pins it left; reconcile returns the fleet to what they recorded', async () => {
    const id = await submit(lb, { kind: 'evacuate', pace: 'stages', region: 'us-east-1', stages: 2, dwellSeconds: 30 });
    const dwelling = await untilStep(lb, id, 'stage-1/dwell', 'running', 60_000);
    const pinned = dwelling.plan!.groupChanges.map((c) => `${c.region}/${c.group}`);
    const tags = await tagsInAws();
    for (const g of pinned) expect(tags[g]![TAG_PINNED_BY], g).toBe(id);

    // Everything lifeboat kept in Redis goes.
    const lostAt = Date.now();
    await deleteKeysMatching(lb.redis, `${lb.deps.settings.LIFEBOAT_REDIS_PREFIX}:*`);
    expect((await api.call('GET', `/v1/operations/${id}`)).status).toBe(404);
    // The worker renews its leases every LEASE_TTL/3: over three lease lifetimes, it never takes one again.
    expect(await leaseHoldersFor(3 * LEASE_TTL_S * 1000)).toEqual([]);

    // AWS still holds the pins: the fleet view says what was left, and what it was before.
    const view = await api.call('GET', '/v1/fleet?fresh=true');
    expect(view.status).toBe(200);
    expect(view.body.unfinished).toHaveLength(1);
    const unfinished = view.body.unfinished[0];
    expect(unfinished.operationId).toBe(id);
    expect(unfinished.groups.map((g: { region: string; group: string }) => `${g.region}/${g.group}`).sort()).toEqual([...pinned].sort());
    for (const g of unfinished.groups) {
      const [min, desired, max] = initial.groups[`${g.region}/${g.group}`]!;
      expect(g.pinnedFrom).toEqual({ minSize: min, desiredCapacity: desired, maxSize: max });
    }
    expect(Object.fromEntries(unfinished.weights.map((w: { name: string; before: Record<string, number> }) => [w.name, w.before]))).toEqual(initial.weights);

    // A restore has no evacuation to undo, and says where to go instead.
    const restore = await api.call('POST', '/v1/operations', { body: { kind: 'restore', region: 'us-east-1' } });
    expect(restore.status).toBe(409);
    expect(restore.body.error.code).toBe('LB_ERR_REGION_NOT_EVACUATED');
    expect(restore.body.error.message).toContain('reconcile');

    // The plan first: back to the recorded weights exactly, every pin let go.
    const dry = await api.call('POST', '/v1/operations', { body: { kind: 'reconcile', dryRun: true } });
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(dry.body.plan.blockers).toEqual([]);
    const last = dry.body.plan.stages.at(-1).traffic as Array<{ name: string; region: string; weight: number }>;
    for (const [name, weights] of Object.entries(initial.weights)) {
      expect(Object.fromEntries(last.filter((t) => t.name === name).map((t) => [t.region, t.weight])), name).toEqual(weights);
    }
    expect(dry.body.plan.finalGroupChanges.map((c: { region: string; group: string }) => `${c.region}/${c.group}`)).toEqual(expect.arrayContaining(pinned));

    // No region is held by the lost operation: the reconcile is accepted, and does it.
    const started = await api.call('POST', '/v1/operations', { body: { kind: 'reconcile', stages: 2, dwellSeconds: 0 } });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const done = await lb.waitFor(started.body.operation.id, undefined, 60_000);
    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');

    // AWS as before the evacuation: the weights exactly, every group back at its bounds (its
    // own scaling brings DesiredCapacity down), and no pin record left.
    const after = await fleet.state();
    expect(after.weights).toEqual(initial.weights);
    for (const [g, [min, desired, max]] of Object.entries(initial.groups)) {
      const [minNow, desiredNow, maxNow] = after.groups[g]!;
      expect([minNow, maxNow], g).toEqual([min, max]);
      expect(desiredNow, g).toBeGreaterThanOrEqual(desired);
    }
    for (const [g, t] of Object.entries(await tagsInAws())) for (const key of PIN_TAGS) expect(t[key], `${g} ${key}`).toBeUndefined();
    expect((await api.call('GET', '/v1/fleet?fresh=true')).body.unfinished).toEqual([]);

    figures('Redis lost its keys in stage 1 dwell; reconcile', {
      leasesSeenAfterLoss: 0,
      reconcileStages: done.plan!.stages.length,
      groupsLetGo: done.plan!.finalGroupChanges.length,
      recoveredAfterLossMs: Date.parse(done.finishedAt!) - lostAt,
    });
  }, 180_000);
});
