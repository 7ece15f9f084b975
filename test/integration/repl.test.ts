import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { createReplContext, stopWatching } from '../../repl/repl-context';
import { startRepl } from '../../repl/start-repl';
import { formatLifeboatError } from '../../repl/refusals';
import type { LifeboatError } from '../../src/core/errors';
import type { ReplContext } from '../../repl/repl-context';
import { DryRunCloud } from '../../src/cloud/dry-run/dry-run-cloud';
import type { AutoScalingGroupReading } from '../../src/core/fleet';
import { packageRoot } from '../../src/operations/package-root';
import { hashToken } from '../../src/operations/tokens';
import type { MotoServer } from '../../src/sandbox/moto/moto-server';
import { startMotoServer } from '../../src/sandbox/moto/moto-server';
import { DEMO_FLEET, seedFleet } from '../../src/sandbox/fleet/seed-fleet';
import { takeSnapshot } from '../../src/operations/fleet-snapshot';
import { getOperation } from '../../src/operations/activity';
import { startRun } from '../../src/runbooks/start-run';
import type { ServiceSpec } from '../support/fleet-fixture';
import { apiInThreeRegions, fleetReading } from '../support/fleet-fixture';
import type { TestLifeboat } from '../support/harness';
import { testLifeboat } from '../support/harness';
import { deleteKeysMatching } from '../support/redis-cleanup';
import { testPrefix } from '../support/test-prefix';

const services = apiInThreeRegions;

/** Who the REPL acts as in these tests: a token's owner, with the roles its commands need. */
const TESTER = { name: 'tester', roles: ['operator' as const, 'approver' as const] };

/** A dry-run cloud whose new instances stay Pending beyond `inServiceCap` per group until `arrive()`. */
class SlowCapacityCloud extends DryRunCloud {
  private arrived = false;
  constructor(
    services: ServiceSpec[],
    private readonly inServiceCap: number,
  ) {
    super(fleetReading(services));
  }
  arrive(): void {
    this.arrived = true;
  }
  override async readGroups(region: string, groups: readonly string[]): Promise<AutoScalingGroupReading[]> {
    const read = await super.readGroups(region, groups);
    if (this.arrived) return read;
    return read.map((g) => ({ ...g, instances: g.instances.map((i, k) => (k < this.inServiceCap ? i : { ...i, lifecycleState: 'Pending' })) }));
  }
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const weightsOf = async (cloud: DryRunCloud) => Object.fromEntries((await takeSnapshot(cloud)).traffic.map((t) => [t.region, t.weight]));

describe('the REPL context, on the dry-run cloud through the real queue', () => {
  let lb: TestLifeboat | undefined;
  let printed: string[] = [];
  afterEach(async () => {
    await lb?.close();
    lb = undefined;
  });

  function start<C extends DryRunCloud = DryRunCloud>(s: ServiceSpec[] = services(), cloud: C = new DryRunCloud(fleetReading(s)) as C): { ctx: ReplContext; cloud: C; lb: TestLifeboat } {
    lb = testLifeboat(cloud);
    lb.startWorker();
    printed = [];
    const ctx = createReplContext(lb, { identity: TESTER, out: (text) => printed.push(text), pollMs: 20 });
    return { ctx, cloud, lb };
  }
  const output = () => printed.join('\n');

  it('plan() validates the intent, prints the plan as tables and returns it', async () => {
    const { ctx } = start();
    const plan = await ctx.plan({ kind: 'evacuate', region: 'us-east-1' });
    expect(plan.blockers).toEqual([]);
    expect(plan.stages.length).toBeGreaterThan(0);
    expect(output()).toContain('Plan: evacuate us-east-1');
    expect(output()).toMatch(/Before traffic moves[\s\S]*us-west-2\s+api-us-west-2\s+api/);
    await expect(ctx.plan({ kind: 'evacuate', region: 'us-east-1', stages: 0 })).rejects.toMatchObject({ code: 'LB_ERR_VALIDATION' });
  });

  it('evacuate() goes through the queue as the REPL user, wait() prints progress until it succeeds, and restore() brings the weights back', async () => {
    const { ctx, cloud, lb } = start();
    const before = await weightsOf(cloud);

    const op = await ctx.evacuate('us-east-1');
    expect(op.id).toMatch(/^op_/);
    const done = await op.wait({ progress: true, timeoutMs: 20_000 });
    expect(done.state).toBe('succeeded');
    expect(op.state).toBe('succeeded');
    expect(done.actor).toBe('repl:tester');
    expect((await getOperation(op.id, lb.deps)).actor).toBe('repl:tester');
    expect(await weightsOf(cloud)).toMatchObject({ 'us-east-1': 0 });

    const shown = output();
    expect(shown).toContain(`submitted ${op.id}: evacuate us-east-1 as repl:tester`);
    expect(shown).toContain('✓ prescale');
    expect(shown).toMatch(/\[#{10}\] 16\/16 api-us-west-2/);
    expect(shown).toMatch(/weights api\.example\.com: us-east-1 \d+→0/);
    expect(shown).toContain(`${op.id} succeeded`);

    printed = [];
    const listed = await ctx.ops();
    expect(listed.map((v) => v.id)).toContain(op.id);
    expect(output()).toMatch(new RegExp(`${op.id}\\s+evacuate\\s+succeeded\\s+repl:tester`));

    const restore = await ctx.restore('us-east-1');
    expect((await restore.wait({ progress: false, timeoutMs: 20_000 })).state).toBe('succeeded');
    expect(await weightsOf(cloud)).toEqual(before);
  });

  it('wait() shows capacity coming into service as bars; stopping the watch leaves the operation running', async () => {
    const { ctx, cloud } = start(services(), new SlowCapacityCloud(services(), 12));
    const op = await ctx.evacuate('us-east-1', { pace: 'stages' });
    const watching = op.wait({ progress: true, timeoutMs: 20_000 });
    await until(() => /\[########--\] 12\/16 api-us-west-2/.test(output()), 'a bar of 12 of 16 instances in service');
    expect(output()).toMatch(/… await-capacity: 0 of 2 group\(s\) at capacity/);

    stopWatching(ctx);
    const stopped = await watching;
    expect(stopped.state).toBe('running');
    expect(output()).toContain(`stopped watching ${op.id}; it is still running`);

    cloud.arrive();
    printed = [];
    expect((await op.wait({ progress: true, timeoutMs: 20_000 })).state).toBe('succeeded');
    expect(output()).toMatch(/\[#{10}\] 16\/16 api-us-west-2/);
    expect(output()).not.toContain('✓ prescale'); // printed by the first wait, not again
  });

  it('approve() releases a runbook run paused at its approval, recorded as the REPL user', async () => {
    const { ctx, lb } = start();
    const run = await startRun('game-day', { region: 'us-east-1', holdSeconds: 0, stages: 1 }, { actor: 'api:alice' }, lb.deps);
    const deadline = Date.now() + 10_000;
    while (!(await getOperation(run.id, lb.deps)).awaitingApproval) {
      if (Date.now() > deadline) throw new Error('the run never reached its approval');
      await new Promise((r) => setTimeout(r, 20));
    }
    await ctx.approve(run.id, { comment: 'from the repl' });
    expect(output()).toContain(`approved ${run.id} as repl:tester`);
    const done = await lb.waitFor(run.id, undefined, 20_000);
    expect(done.state).toBe('succeeded');
    expect(done.steps.find((s) => s.id === 'approval')!.outcome).toBe('approved by repl:tester: from the repl');
  });

  it('approve() keeps the two-person rule when LIFEBOAT_TWO_PERSON_RULE is on: whoever started the run cannot approve it', async () => {
    lb = testLifeboat(new DryRunCloud(fleetReading(services())), { LIFEBOAT_TWO_PERSON_RULE: 'true' });
    lb.startWorker();
    const ctx = createReplContext(lb, { identity: TESTER, out: () => undefined, pollMs: 20 });
    const run = await startRun('game-day', { region: 'us-east-1', holdSeconds: 0, stages: 1 }, { actor: 'repl:tester' }, lb.deps);
    const deadline = Date.now() + 10_000;
    while (!(await getOperation(run.id, lb.deps)).awaitingApproval) {
      if (Date.now() > deadline) throw new Error('the run never reached its approval');
      await new Promise((r) => setTimeout(r, 20));
    }
    await expect(ctx.approve(run.id)).rejects.toMatchObject({ code: 'LB_ERR_APPROVAL_SAME_ACTOR' });
    expect((await getOperation(run.id, lb.deps)).awaitingApproval).toBeDefined();
  });

  it('a refused request rejects with its LifeboatError code and queues nothing', async () => {
    const s = services();
    s[0]!.regions['us-west-2']!.weight = 0;
    s[0]!.regions['eu-west-1']!.weight = 0;
    const { ctx, lb } = start(s);
    await expect(ctx.evacuate('us-east-1')).rejects.toMatchObject({ code: 'LB_ERR_NO_SERVING_REGION', hint: expect.stringContaining('Restore another region') });
    await expect(ctx.restore('eu-west-1')).rejects.toMatchObject({ code: 'LB_ERR_REGION_NOT_EVACUATED' });
    await expect(ctx.shift('us-east-9', 50)).rejects.toMatchObject({ code: 'LB_ERR_UNKNOWN_REGION' });
    expect(await lb.deps.queue.list()).toEqual([]);
  });

  it('a slip is refused with "did you mean", and shown as code, message, details and a hint in REPL words', async () => {
    const { ctx, lb } = start();
    const region = await ctx.evacuate('us-east1').catch((e: unknown) => e);
    expect(region).toMatchObject({ code: 'LB_ERR_VALIDATION', details: { field: 'region', suggestion: 'us-east-1' } });
    expect(formatLifeboatError(region as LifeboatError)).toBe(
      [
        'LB_ERR_VALIDATION: region: "us-east1" is not an AWS region code such as us-east-1 (did you mean us-east-1?); managed regions: us-east-1, us-west-2, eu-west-1',
        '  details: field=region, suggestion=us-east-1',
        '  hint: Fix the fields named in details and send it again.',
      ].join('\n'),
    );
    await expect(ctx.plan({ kind: 'evacuat', region: 'us-east-1' })).rejects.toMatchObject({ details: { field: 'kind', suggestion: 'evacuate' } });
    await expect(ctx.evacuate('us-east-1', { stage: 3 } as never)).rejects.toMatchObject({ details: { field: 'stage', suggestion: 'stages' } });
    await expect(ctx.shift('us-east-9', 50)).rejects.toMatchObject({ code: 'LB_ERR_UNKNOWN_REGION', message: expect.stringContaining('(did you mean us-east-1?)') });
    await expect(ctx.scale('us-west-2', 'apj', 12)).rejects.toMatchObject({ code: 'LB_ERR_UNKNOWN_SERVICE', message: expect.stringContaining('(did you mean api?)') });
    const blocked = await ctx.plan({ kind: 'evacuate', region: 'eu-west-1', services: ['ap'] });
    expect(blocked.blockers).toContainEqual(expect.objectContaining({ code: 'LB_ERR_UNKNOWN_SERVICE', message: expect.stringContaining('(did you mean api?)') }));
    // A catalog hint that names an HTTP route names the REPL command instead.
    expect(formatLifeboatError({ code: 'LB_ERR_UNKNOWN_REGION', message: 'x', hint: 'Use one of the regions in LIFEBOAT_REGIONS (GET /v1/fleet lists them).' })).toContain('hint: Use one of the regions in LIFEBOAT_REGIONS (fleet() lists them).');
    expect(await lb.deps.queue.list()).toEqual([]);
  });

  it('a region held by another operation: the refusal names the region asked for, the operation holding it, and how to wait for or cancel it', async () => {
    const { ctx, lb } = start();
    const held = await ctx.scale('us-west-2', 'api', 12);
    await held.wait({ progress: false, timeoutMs: 20_000 });
    // Hold it as a long-running operation would (the dry-run cloud finishes too fast to race).
    await lb.deps.leases.acquire(held.id, ['us-west-2'], 60_000);
    const refused = await ctx.scale('us-west-2', 'api', 14).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'LB_ERR_REGION_LOCKED', details: { region: 'us-west-2', asked: 'us-west-2', operationId: held.id } });
    expect((refused as LifeboatError).message).toBe(`scale us-west-2 needs us-west-2, which operation ${held.id} (scale us-west-2, succeeded) holds; one mutating operation per region at a time`);
    expect(formatLifeboatError(refused as LifeboatError)).toContain(`hint: Wait for it: await watch('${held.id}'); or stop it: await cancel('${held.id}'). Then ask again.`);
    await lb.deps.leases.release(held.id, ['us-west-2']);
  });

  it('cancel() without rollback part-way: wait() ends with the share each region has now and the command to run next, which works', async () => {
    // A long dwell after each stage: the cancel lands after stage 1's weights, before stage 2's.
    const cloud = new DryRunCloud(fleetReading(services()));
    lb = testLifeboat(cloud, { LIFEBOAT_DWELL: '600' });
    lb.startWorker();
    printed = [];
    const ctx = createReplContext(lb, { identity: TESTER, out: (text) => printed.push(text), pollMs: 20 });
    const ev = await ctx.evacuate('us-east-1', { stages: 2, pace: 'stages' });
    const deadline = Date.now() + 20_000;
    while ((await getOperation(ev.id, lb.deps)).steps.find((s) => s.id === 'stage-1/dwell')?.state !== 'running') {
      if (Date.now() > deadline) throw new Error('stage 1 never reached its dwell');
      await new Promise((r) => setTimeout(r, 20));
    }
    await ctx.cancel(ev.id);
    const done = await ev.wait({ progress: true, timeoutMs: 20_000 });
    expect(done.state).toBe('cancelled');

    const weights = await weightsOf(cloud);
    const total = Object.values(weights).reduce((a, w) => a + w, 0);
    const shares = ['us-east-1', 'us-west-2', 'eu-west-1'].map((r) => `${r} ${((weights[r]! / total) * 100).toFixed(1)}%`).join(', ');
    expect(weights['us-east-1']).toBeGreaterThan(0); // part-way: not all of it moved
    expect(output()).toContain(`  traffic now, api.example.com: ${shares}`);
    expect(output()).toContain(`  next: await restore('us-east-1')  (brings its traffic back; evacuate again to finish instead)`);
    expect(done.result?.summary).toContain(`cancelled by repl:tester after 1 of 2 stage(s); traffic now ${shares}; next: restore us-east-1`);

    // The command it names is accepted (it then dwells its record TTL per stage, as any restore does).
    const restore = await ctx.restore('us-east-1', { stages: 1 });
    expect(['queued', 'running']).toContain(restore.state);
    await restore.cancel({ rollback: true });
  }, 60_000);

  it('op() shows one operation step by step, and cancel() on a finished one is refused', async () => {
    const { ctx } = start();
    const scale = await ctx.scale('us-west-2', 'api', 12);
    await scale.wait({ progress: false, timeoutMs: 20_000 });
    printed = [];
    const view = await ctx.op(scale.id);
    expect(view.state).toBe('succeeded');
    expect(output()).toContain(`Operation ${scale.id} (scale api in us-west-2 to 12 by repl:tester): succeeded`);
    await expect(scale.cancel()).rejects.toMatchObject({ code: 'LB_ERR_OPERATION_FINISHED' });
  });
});

describe('the REPL itself (startRepl) at a terminal, on the dry-run cloud', () => {
  let lb: TestLifeboat | undefined;
  let home: string | undefined;
  afterEach(async () => {
    await lb?.close();
    lb = undefined;
    if (home) rmSync(home, { recursive: true, force: true });
  });

  /** The REPL on streams that act as a terminal: what it prints (its own output and the commands'), and a way to type. */
  function terminalRepl(cloud: DryRunCloud, identity = TESTER) {
    lb = testLifeboat(cloud);
    lb.startWorker();
    home = mkdtempSync(join(tmpdir(), 'lifeboat-repl-tty-'));
    let shown = '';
    const input = new PassThrough();
    const output = new PassThrough();
    output.setEncoding('utf8').on('data', (chunk: string) => (shown += chunk));
    const ctx = createReplContext(lb, { identity, out: (text) => (shown += `${text}\n`), pollMs: 20 });
    const { server } = startRepl(ctx, { input, output, terminal: true, historyPath: join(home, 'history') });
    let exited = false;
    server.on('exit', () => (exited = true));
    return { ctx, server, type: (text: string) => input.write(text), shown: () => shown, exited: () => exited };
  }

  it('a missing await on evacuate(): .wait() still watches it, and says how to hold the handle; a second Ctrl+C stops watching and leaves the REPL open', async () => {
    const cloud = new SlowCapacityCloud(services(), 12);
    const repl = terminalRepl(cloud);
    repl.type(`const ev = evacuate('us-east-1')\n`);
    await until(() => /submitted op_\S+: evacuate us-east-1/.test(repl.shown()), 'the evacuation submitted');
    // The id answers on the promise too, the one the submission printed.
    const submittedId = /submitted (op_\S+): evacuate us-east-1/.exec(repl.shown())![1]!;
    repl.type(`'id=' + ev.id\n`);
    await until(() => repl.shown().includes(`'id=${submittedId}'`), 'ev.id answering with the submitted id');
    repl.type('ev.wait()\n');
    await until(() => /\[########--\] 12\/16 api-us-west-2/.test(repl.shown()), 'the watch showing capacity arriving', 20_000);
    expect(repl.shown()).toContain(`(evacuate('us-east-1') returns a promise: it was not awaited, so .wait() waits for the submission first. Next time: const op = await evacuate('us-east-1'))`);
    expect(repl.shown()).not.toContain('is not a function');

    // Two reflex presses while watching.
    repl.type('\x03');
    repl.type('\x03');
    await until(() => /stopped watching op_\S+; it is still running/.test(repl.shown()), 'the watch stopped');
    expect(repl.exited()).toBe(false);
    repl.type('40 + 2\n');
    await until(() => /\b42\b/.test(repl.shown()), 'the REPL answering after the Ctrl+Cs');
    expect(repl.exited()).toBe(false);
    cloud.arrive();
    repl.server.close();
  }, 60_000);

  it('an evacuate() refused and never awaited prints the refusal, not an unhandled rejection', async () => {
    const s = services();
    s[0]!.regions['us-west-2']!.weight = 0;
    s[0]!.regions['eu-west-1']!.weight = 0;
    const repl = terminalRepl(new DryRunCloud(fleetReading(s)));
    repl.type(`const ev2 = evacuate('us-east-1')\n`);
    await until(() => repl.shown().includes('LB_ERR_NO_SERVING_REGION: '), 'the refusal printed');
    expect(repl.shown()).toMatch(/LB_ERR_NO_SERVING_REGION: .*\n( {2}details: .*\n)? {2}hint: Restore another region first/);
    expect(repl.shown()).not.toMatch(/^\s+at /m);
    repl.server.close();
  }, 60_000);

  it('readiness() prints the N+1 verdict per region and returns the report', async () => {
    const repl = terminalRepl(new DryRunCloud(fleetReading(services())));
    const report = await repl.ctx.readiness({ refresh: true });
    expect(report.regions.map((r) => r.region)).toEqual(['us-east-1', 'us-west-2', 'eu-west-1']);
    expect(repl.shown()).toMatch(report.ready ? /N\+1 ready: every region can be absorbed by the others/ : /NOT N\+1 ready: /);
    expect(repl.shown()).toContain('readiness({refresh: true}) for now');
    expect(repl.shown()).toMatch(/region\s+ready\s+min headroom\s+blockers/);
    repl.server.close();
  });
});

describe('npm run repl as a process, against moto and Redis', () => {
  const CREDENTIALS = { accessKeyId: 'AKIDREPLTESTING', secretAccessKey: 'repl-testing-secret' };
  let moto: MotoServer | undefined;
  let home: string | undefined;

  beforeAll(async () => {
    moto = await startMotoServer();
    await seedFleet(DEMO_FLEET, { endpoint: moto.endpoint, credentials: CREDENTIALS });
    home = mkdtempSync(join(tmpdir(), 'lifeboat-repl-'));
  });
  afterAll(async () => {
    await moto?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('prints its banner, runs a piped plan() and exits on .exit', async () => {
    const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const prefix = testPrefix('repl-');
    const child = spawn('npx', ['ts-node', '--transpile-only', 'src/app/repl-main.ts'], {
      cwd: packageRoot(),
      // Its own process group, so a failed test can stop npx and the node under it.
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {
        ...process.env,
        REDIS_URL: redisUrl,
        LIFEBOAT_REDIS_PREFIX: prefix,
        LIFEBOAT_REPL_HISTORY: join(home!, 'history'),
        // The REPL acts as a token's owner, as the CLI does.
        LIFEBOAT_TOKENS: JSON.stringify([{ name: 'tester', sha256: hashToken('lbt_repl-tester-token-000000'), roles: ['operator'] }]),
        LIFEBOAT_TOKEN: 'lbt_repl-tester-token-000000',
        LIFEBOAT_REGIONS: 'us-east-1,us-west-2,eu-west-1',
        AWS_ENDPOINT_URL: moto!.endpoint,
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
        AWS_REGION: 'us-east-1',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    const redis = new IORedis(redisUrl, { maxRetriesPerRequest: 1 });
    try {
      // Both lines at once, as a pipe delivers them: .exit waits for the plan to be printed.
      child.stdin.end(`await plan({kind: 'evacuate', region: 'us-east-1'})\n.exit\n`);
      const code = await Promise.race([exited, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 45_000).unref())]);
      expect(code, `stdout:\n${stdout}\nstderr:\n${stderr}`).toBe(0);
      expect(stdout).toContain('lifeboat REPL, acting as repl:tester');
      expect(stdout).toContain('regions  us-east-1, us-west-2, eu-west-1');
      expect(stdout).toContain(`(prefix ${prefix})`);
      expect(stdout).toContain(`${moto!.endpoint} (AWS_ENDPOINT_URL)`);
      expect(stdout).toContain('workers  none connected');
      expect(stdout).toContain('help()');
      expect(stdout).toContain('Plan: evacuate us-east-1');
      expect(stdout).toMatch(/Ready: \d+ group change\(s\), 2 stage\(s\)/);
    } finally {
      if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      await deleteKeysMatching(redis, `${prefix}:*`);
      await redis.quit();
    }
  }, 60_000);
});
