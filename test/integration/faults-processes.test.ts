import { hostname } from 'node:os';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { at, FAULT_FLEET, figures, operationMs, stepMs, stepOf, submit, untilStep } from '../support/fault-scenarios';
import type { TestLifeboat } from '../support/harness';
import { testLifeboat } from '../support/harness';
import type { AwsState } from '../support/moto-fleet';
import type { PrivateRedis } from '../support/private-redis';
import { startPrivateRedis } from '../support/private-redis';
import type { ProxiedFleet } from '../support/proxied-fleet';
import { startProxiedFleet } from '../support/proxied-fleet';
import type { WorkerProcess } from '../support/worker-process';
import { WorkerPool, workerEnvFor } from '../support/worker-process';
import { eventually } from '../support/eventually';

/**
 * The moving parts lifeboat runs on failing under it: Redis restarting in the middle of an
 * operation (a private, AOF-persisted redis-server), and a worker process SIGKILLed while it
 * waits for capacity. Workers are real processes (npm run worker), AWS is moto behind the proxy.
 */

let pf: ProxiedFleet;
let initial: AwsState;
let lb: TestLifeboat | undefined;
let redis: PrivateRedis | undefined;
const workers = new WorkerPool();

beforeAll(async () => {
  pf = await startProxiedFleet(FAULT_FLEET);
  initial = await pf.fleet.state();
}, 60_000);

beforeEach(async () => {
  await pf.reset();
});

afterEach(async () => {
  await workers.killAll('SIGKILL');
  await lb?.close();
  await redis?.stop();
  lb = undefined;
  redis = undefined;
});

afterAll(async () => {
  await pf?.stop();
});

/** Environment for worker processes sharing `lb`'s Redis and prefix, talking to AWS through the proxy. */
const workerEnv = (l: TestLifeboat, extra: Record<string, string> = {}) => workerEnvFor(l.deps.settings, pf.awsEnv(), extra);
const startWorker = (env: Record<string, string>) => workers.start(env);
const untilWorkers = (l: TestLifeboat, n: number) => workers.untilConnected(l, n);

const alive = (w: WorkerProcess) => w.child.exitCode === null && w.child.signalCode === null;

describe('Redis restarts in the middle of an operation', () => {
  it('the operation carries on once Redis is back and succeeds, done once; an operation queued across a restart is not lost', async () => {
    redis = await startPrivateRedis();
    // A job lock that outlives the restart: the worker keeps its job, nobody takes it over.
    lb = testLifeboat(pf.cloud(), { REDIS_URL: redis.url, LIFEBOAT_JOB_LOCK_MS: '15000', LIFEBOAT_STALLED_INTERVAL_MS: '5000', LIFEBOAT_LEASE_TTL: '30' });
    // This process's queues report the outage as 'error' events (printed raw when nobody listens).
    const outageErrors: string[] = [];
    for (const q of [lb.deps.queue.queue, lb.deps.runs.queue]) q.on('error', (e) => outageErrors.push(e.message));
    const worker = startWorker(workerEnv(lb));
    await untilWorkers(lb, 1);
    const id = await submit(lb, { kind: 'evacuate', pace: 'stages', region: 'us-east-1', services: ['api'], stages: 2, dwellSeconds: 4 });
    await untilStep(lb, id, 'stage-1/dwell', 'running', 30_000);

    // Redis dies (SIGKILL: only the AOF survives) while stage 1 dwells, and comes back once this
    // process's queues have noticed it is gone.
    const downAt = Date.now();
    await redis.kill();
    await eventually('the queues saw Redis go', () => outageErrors.length > 0);
    await redis.start();
    const upAt = Date.now();
    const done = await lb.waitFor(id, undefined, 60_000);

    expect(done.state, `${JSON.stringify(done.error)}\n${worker.output()}`).toBe('succeeded');
    expect(alive(worker), worker.output()).toBe(true);
    // Processed once, by the one worker, each step once; the dwell spanned the outage.
    const job = await lb.deps.queue.queue.getJob(id);
    expect(job?.processedBy).toBe(`${hostname()}:${worker.child.pid}`);
    expect(Object.fromEntries(done.steps.map((s) => [s.id, s.attempts]))).toEqual(Object.fromEntries(done.steps.map((s) => [s.id, 1])));
    // The dwell was under way when Redis went down and ended after, once, its whole 4 s.
    const dwell = stepOf(done, 'stage-1/dwell');
    expect(at(dwell.startedAt)).toBeLessThanOrEqual(downAt);
    expect(at(dwell.finishedAt)).toBeGreaterThanOrEqual(downAt);
    expect(dwell.outcome).toMatch(/^dwelt 4 s\b/);
    expect(pf.counted({ action: 'UpdateAutoScalingGroup', outcome: 'ok' })).toBe(done.plan!.groupChanges.length);
    expect(pf.counted({ action: 'ChangeResourceRecordSets', outcome: 'ok' })).toBe(done.plan!.stages.length);
    const evacuated = await pf.fleet.state();
    expect(evacuated.weights['api.example.com']!['us-east-1']).toBe(0);
    const resumedMs = at(stepOf(done, 'stage-1/dwell').finishedAt) - upAt;

    // A restore queued while no worker runs survives a second restart, and runs once a worker comes.
    await worker.kill('SIGTERM');
    const restoreId = await submit(lb, { kind: 'restore', region: 'us-east-1' });
    expect((await lb.deps.queue.get(restoreId))?.jobState).toBe('waiting');
    await redis.kill();
    await redis.start();
    expect((await lb.deps.queue.get(restoreId))?.jobState).toBe('waiting');
    const second = startWorker(workerEnv(lb));
    const restored = await lb.waitFor(restoreId, undefined, 60_000);
    expect(restored.state, `${JSON.stringify(restored.error)}\n${second.output()}`).toBe('succeeded');
    expect((await pf.fleet.state()).weights).toEqual(initial.weights);

    figures('Redis SIGKILLed mid-dwell, back once the queues saw it go (AOF always)', {
      outageMs: upAt - downAt,
      dwellMs: stepMs(done, 'stage-1/dwell'),
      dwellEndedAfterRedisBackMs: resumedMs,
      stepAttempts: 'all 1',
      operationMs: operationMs(done),
      queuedRestore: restored.state,
      queueErrorEvents: outageErrors.length,
    });
  }, 120_000);
});

describe('a worker SIGKILLed while it waits for capacity', () => {
  it('another worker process carries on: await-capacity resumed (attempts 2), the prescale not redone, AWS as planned', async () => {
    lb = testLifeboat(pf.cloud(), { LIFEBOAT_JOB_LOCK_MS: '2000', LIFEBOAT_STALLED_INTERVAL_MS: '1000', LIFEBOAT_LEASE_TTL: '5' });
    const env = workerEnv(lb, { LIFEBOAT_CAPACITY_TIMEOUT: '30' });
    const pair = [startWorker(env), startWorker(env)];
    await untilWorkers(lb, 2);
    pf.proxy.setProfile({ name: 'slow-launch', launch: { launchSeconds: 5 } });
    const id = await submit(lb, { kind: 'evacuate', pace: 'stages', region: 'us-east-1', services: ['api'], stages: 2 });
    await untilStep(lb, id, 'await-capacity', 'running', 30_000);

    const job = await lb.deps.queue.queue.getJob(id);
    const holder = pair.find((w) => job?.processedBy === `${hostname()}:${w.child.pid}`);
    expect(holder, `job processed by ${job?.processedBy}`).toBeDefined();
    await holder!.kill('SIGKILL');
    const killedAt = Date.now();
    const survivor = pair.find((w) => w !== holder)!;

    const done = await lb.waitFor(id, undefined, 60_000);
    expect(done.state, `${JSON.stringify(done.error)}\n${survivor.output()}`).toBe('succeeded');
    expect((await lb.deps.queue.queue.getJob(id))?.processedBy).toBe(`${hostname()}:${survivor.child.pid}`);
    expect(stepOf(done, 'guard').attempts).toBe(1);
    expect(stepOf(done, 'prescale').attempts).toBe(1);
    expect(stepOf(done, 'await-capacity').attempts).toBe(2);
    expect(stepOf(done, 'stage-1/apply-weights').attempts).toBe(1);
    // AWS as expected: one update per group change, every group at its target, the region out.
    expect(pf.counted({ action: 'UpdateAutoScalingGroup', outcome: 'ok' })).toBe(done.plan!.groupChanges.length);
    const after = await pf.fleet.state();
    for (const c of done.plan!.groupChanges) expect(after.groups[`${c.region}/${c.group}`]).toEqual([c.to.minSize, c.to.desiredCapacity, c.to.maxSize]);
    expect(after.weights['api.example.com']!['us-east-1']).toBe(0);
    const inService = await pf.inService();
    for (const c of done.plan!.groupChanges) expect(inService[`${c.region}/${c.group}`]).toBe(c.to.desiredCapacity);

    figures('worker SIGKILLed in await-capacity (launch 5 s)', {
      awaitCapacityMs: stepMs(done, 'await-capacity'),
      capacityReadyAfterKillMs: at(stepOf(done, 'await-capacity').finishedAt) - killedAt,
      awaitCapacityAttempts: stepOf(done, 'await-capacity').attempts,
      prescaleAttempts: stepOf(done, 'prescale').attempts,
      operationMs: operationMs(done),
    });
  }, 120_000);
});
