import type { WarmPoolConfiguration } from '@aws-sdk/client-auto-scaling';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, PutWarmPoolCommand } from '@aws-sdk/client-auto-scaling';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { submitOperation } from '../../src/operations/submit-operation';
import { FAULT_FLEET, figures, submit, untilStep } from '../support/fault-scenarios';
import type { TestLifeboat } from '../support/harness';
import { testLifeboat } from '../support/harness';
import { DUMMY_CREDENTIALS } from '../support/moto-fleet';
import type { ProxiedFleet } from '../support/proxied-fleet';
import { startProxiedFleet } from '../support/proxied-fleet';

/**
 * Dark capacity against moto behind the fault proxy: prepare-dark-capacity is planned first,
 * audited, sets the warm pools, changes nothing the second time and is undone by
 * release-dark-capacity, never touching a pool someone else made; and an evacuation takes
 * its warm instances first, before the cold launches.
 */

let pf: ProxiedFleet;
let lb: TestLifeboat | undefined;

beforeAll(async () => {
  pf = await startProxiedFleet(FAULT_FLEET);
}, 180_000);

beforeEach(async () => {
  await pf.reset();
});

afterEach(async () => {
  await lb?.close();
  lb = undefined;
});

afterAll(async () => {
  await pf?.stop();
});

const REGIONS = FAULT_FLEET.regions;
/** moto on a machine shared with other work can take longer than the plan read's 3 s deadline: what is tested here is not that deadline. */
const SLOW_MACHINE = { LIFEBOAT_PLAN_READ_TIMEOUT_MS: '30000' };
const client = (region: string) => new AutoScalingClient({ region, endpoint: pf.fleet.endpoint, credentials: DUMMY_CREDENTIALS });

/** What moto holds for every group: its warm pool settings and lifeboat's tag, by "region/group". */
async function poolsInMoto(): Promise<Record<string, { pool?: WarmPoolConfiguration; tag?: string }>> {
  const out: Record<string, { pool?: WarmPoolConfiguration; tag?: string }> = {};
  for (const region of REGIONS) {
    const c = client(region);
    for (const g of (await c.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups ?? []) {
      const tag = g.Tags?.find((t) => t.Key === 'lifeboat:warm-pool')?.Value;
      out[`${region}/${g.AutoScalingGroupName}`] = { ...(g.WarmPoolConfiguration ? { pool: g.WarmPoolConfiguration } : {}), ...(tag ? { tag } : {}) };
    }
    c.destroy();
  }
  return out;
}

async function putPool(region: string, group: string, minSize: number, maxGroupPreparedCapacity: number): Promise<void> {
  const c = client(region);
  await c.send(new PutWarmPoolCommand({ AutoScalingGroupName: group, MinSize: minSize, MaxGroupPreparedCapacity: maxGroupPreparedCapacity, PoolState: 'Stopped' }));
  c.destroy();
}

// FAULT_FLEET: api runs 6 instances at weight 100 in each of three regions (proportional model,
// 10% headroom). Losing any one region, each survivor takes 1/6 more of the traffic at 18
// instances per unit share: 6 + 3 × 1.1 = 9.3 → 10, a growth of 4. web is the same service
// shape over three groups per region: its three groups together grow by 4 too.
const GROWTH_PER_SERVICE_AND_REGION = 4;

describe('prepare-dark-capacity', () => {
  it('is planned first, audited, sets the pools, changes nothing the second time, and release undoes only what it created', async () => {
    // Someone else's pool on api in eu-west-1: smaller than the growth, and never lifeboat's to change.
    await putPool('eu-west-1', 'api-eu-west-1', 1, 7);
    lb = testLifeboat(pf.cloud(), SLOW_MACHINE);
    lb.startWorker();

    const preview = await submitOperation({ kind: 'prepare-dark-capacity', dryRun: true }, { actor: 'test' }, lb.deps);
    if (!preview.dryRun) throw new Error('expected a dry run');
    const changes = preview.plan.warmPoolChanges!;
    expect(changes.find((c) => c.group === 'api-eu-west-1')).toBeUndefined();
    expect(preview.plan.warnings).toContainEqual(expect.objectContaining({ code: 'WARM_POOL_NOT_OURS', details: expect.objectContaining({ group: 'api-eu-west-1' }) }));
    for (const region of REGIONS) {
      if (region !== 'eu-west-1') expect(changes.find((c) => c.group === `api-${region}`)).toMatchObject({ growth: GROWTH_PER_SERVICE_AND_REGION, to: { minSize: GROWTH_PER_SERVICE_AND_REGION, maxGroupPreparedCapacity: 10 } });
      const web = changes.filter((c) => c.service === 'web' && c.region === region);
      expect(web).toHaveLength(3);
      expect(web.reduce((a, c) => a + c.growth, 0)).toBe(GROWTH_PER_SERVICE_AND_REGION);
    }
    // The dry run changed nothing.
    const before = await poolsInMoto();
    expect(Object.entries(before).filter(([, v]) => v.pool).map(([k]) => k)).toEqual(['eu-west-1/api-eu-west-1']);

    const id = await submit(lb, { kind: 'prepare-dark-capacity', reason: 'N+1 from warm pools' });
    const done = await lb.waitFor(id, undefined, 60_000);
    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');
    expect(done.steps.map((s) => s.kind)).toEqual(['guard', 'set-warm-pools']);
    expect(done.result).toMatchObject({ warmPoolsChanged: changes.length, groupsChanged: 0, weightChanges: 0 });

    const after = await poolsInMoto();
    for (const c of changes) {
      expect(after[`${c.region}/${c.group}`], c.group).toEqual({
        pool: { MinSize: c.to!.minSize, MaxGroupPreparedCapacity: c.to!.maxGroupPreparedCapacity, PoolState: 'Stopped' },
        tag: 'created',
      });
    }
    expect(after['eu-west-1/api-eu-west-1']).toEqual(before['eu-west-1/api-eu-west-1']);

    // Audited: every pool set is in the trail with the operation, attempted and succeeded.
    const audit = await lb.deps.audit.query({ operationId: id, limit: 1000 });
    const sets = audit.filter((r) => r.action === 'aws.setWarmPool');
    expect(sets.map((r) => r.outcome)).toEqual(changes.map(() => 'succeeded'));
    expect(new Set(sets.map((r) => (r.inputs as { group: string }).group))).toEqual(new Set(changes.map((c) => c.group)));

    // The same request again: nothing to do, refused as such, and AWS is as it was.
    await expect(submit(lb, { kind: 'prepare-dark-capacity' })).rejects.toMatchObject({ code: 'LB_ERR_NOTHING_TO_DO' });
    expect(await poolsInMoto()).toEqual(after);

    // Undo: the pools lifeboat created go, with their tag; the one it did not create stays as it was.
    const released = await lb.waitFor(await submit(lb, { kind: 'release-dark-capacity' }), undefined, 60_000);
    expect(released.state, JSON.stringify(released.error)).toBe('succeeded');
    expect(released.plan!.warmPoolChanges!.map((c) => c.group).sort()).toEqual(changes.map((c) => c.group).sort());
    expect(await poolsInMoto()).toEqual(before);
    figures('prepare-dark-capacity', { pools: changes.length, released: released.plan!.warmPoolChanges!.length });
  }, 120_000);
});

describe('an evacuation with warm pools', () => {
  it('gets the warm instances in service first, while the cold launches are still pending', async () => {
    // api-us-west-2 keeps 2 warm (MinSize 2, at most 8 prepared with 6 running); the growth is 4.
    await putPool('us-west-2', 'api-us-west-2', 2, 8);
    lb = testLifeboat(pf.cloud(), SLOW_MACHINE);
    lb.startWorker();
    // Cold launches take 12 s, warm ones 0.2 s.
    pf.proxy.setProfile({ name: 'warm-vs-cold', launch: { launchSeconds: 12, warmupSeconds: 0, warmLaunchSeconds: 0.2 } });

    const id = await submit(lb, { kind: 'evacuate', region: 'us-east-1', services: ['api'], stages: 1, pace: 'stages', capacityTimeoutSeconds: 120 });
    const waiting = await untilStep(lb, id, 'await-capacity', 'running', 60_000);
    expect(waiting.plan!.warmCoverage).toEqual([
      { service: 'api', region: 'us-west-2', growth: GROWTH_PER_SERVICE_AND_REGION, warm: 2, cold: 2 },
      { service: 'api', region: 'eu-west-1', growth: GROWTH_PER_SERVICE_AND_REGION, warm: 0, cold: GROWTH_PER_SERVICE_AND_REGION },
    ]);

    // The two warm instances come in while the cold ones (and eu-west-1's) are still launching.
    const deadline = Date.now() + 60_000;
    let seen: Record<string, number> = {};
    while (Date.now() < deadline) {
      seen = await pf.inService();
      if (seen['us-west-2/api-us-west-2']! >= 8) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(seen['us-west-2/api-us-west-2']).toBe(8);
    expect(seen['eu-west-1/api-eu-west-1']).toBe(6);
    expect((await lb.deps.queue.get(id))?.data.checkpoint.steps.find((s) => s.kind === 'await-capacity')?.state).toBe('running');

    const done = await lb.waitFor(id, undefined, 90_000);
    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');
    const end = await pf.inService();
    expect(end['us-west-2/api-us-west-2']).toBe(10);
    expect(end['eu-west-1/api-eu-west-1']).toBe(10);
  }, 150_000);
});
