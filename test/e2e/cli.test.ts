import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProgressPrinter, reportFinished } from '../../src/cli/follow';
import { Output } from '../../src/cli/output';
import { freePort } from '../../src/sandbox/free-port';
import { DryRunCloud } from '../../src/cloud/dry-run/dry-run-cloud';
import type { OperationView } from '../../src/operations/operation-views';
import type { TestApi } from '../support/api-client';
import { startApi } from '../support/api-client';
import type { ServiceSpec } from '../support/fleet-fixture';
import { fleetReading } from '../support/fleet-fixture';
import type { TestLifeboat } from '../support/harness';
import { TEST_TOKENS, testLifeboat } from '../support/harness';

/**
 * `npx lifeboat` as automation runs it: a child process talking HTTP to a real API and
 * worker (real Redis, the dry-run cloud), checked by its output and exit code.
 */

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'src', 'app', 'cli-bin.ts');
/** The source through ts-node, as `npm run cli` runs it: a stale dist/ must not answer. */
const FROM_SOURCE = ['--require', 'ts-node/register/transpile-only'];

// MaxSize is 3× desired: N+1 ready, so the game day's readiness check passes.
const SERVICES: ServiceSpec[] = [
  {
    name: 'api',
    dns: 'api.example.com',
    regions: {
      'us-east-1': { desired: 10, min: 2, max: 30, weight: 100 },
      'us-west-2': { desired: 10, min: 2, max: 30, weight: 100 },
      'eu-west-1': { desired: 10, min: 2, max: 30, weight: 100 },
    },
  },
  {
    name: 'web',
    dns: 'www.example.com',
    regions: {
      'us-east-1': { desired: 4, min: 1, max: 12, weight: 1 },
      'us-west-2': { desired: 4, min: 1, max: 12, weight: 1 },
      'eu-west-1': { desired: 4, min: 1, max: 12, weight: 1 },
    },
  },
];

let lb: TestLifeboat;
let api: TestApi;
let tmp: string;

beforeAll(async () => {
  lb = testLifeboat(new DryRunCloud(fleetReading(SERVICES)), { LIFEBOAT_RUNBOOK_POLL_MS: '50' });
  lb.startWorker();
  api = await startApi(lb);
  tmp = mkdtempSync(join(tmpdir(), 'lifeboat-cli-'));
}, 60_000);

afterAll(async () => {
  await api?.close();
  await lb?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Running {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  /** Resolves with the first match of `pattern` in stdout; rejects if the process ends first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  finished: Promise<Finished>;
}

/** Start `lifeboat <args>` from source against the test API, as the operator (LIFEBOAT_TOKEN). */
function start(args: string[], env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [...FROM_SOURCE, BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, LIFEBOAT_URL: api.url, LIFEBOAT_TOKEN: TEST_TOKENS.operator, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  const watchers: Array<{ pattern: RegExp; resolve: (m: RegExpMatchArray) => void; reject: (e: Error) => void }> = [];
  const check = () => {
    for (const w of [...watchers]) {
      const m = stdout.match(w.pattern);
      if (m) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    check();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const finished = new Promise<Finished>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      for (const w of watchers.splice(0)) w.reject(new Error(`lifeboat ${args.join(' ')} exited ${code} before printing ${w.pattern}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`));
      resolve({ code, stdout, stderr });
    });
  });
  return {
    child,
    stdout: () => stdout,
    finished,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        watchers.push({ pattern, resolve, reject });
        check();
      }),
  };
}

const lifeboat = (args: string[], env?: Record<string, string>) => start(args, env).finished;
const transcript = (r: Finished) => `exit ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;

describe('npx lifeboat', () => {
  it('--help documents the commands and the exit codes; --version prints the version', async () => {
    const help = await lifeboat(['--help']);
    expect(help.code, transcript(help)).toBe(0);
    expect(help.stdout).toContain('runbook run <name>');
    // Every command, in its group: the switches were once missing from the overview.
    for (const command of ['switches', 'switches prepare', 'dark-capacity prepare', 'dark-capacity release', 'op <id> cancel']) expect(help.stdout).toContain(`  ${command}`);
    expect(help.stdout).toMatch(/Exit codes\n\s+0 /);
    expect(help.stdout).toMatch(/^\s+4\s+the API could not be reached/m);
    const version = await lifeboat(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('runbook list --json: the runbooks and their parameters, one JSON document', async () => {
    const r = await lifeboat(['runbook', 'list', '--json']);
    expect(r.code, transcript(r)).toBe(0);
    const body = JSON.parse(r.stdout) as { runbooks: Array<{ name: string; parameters: Record<string, { type: string; required?: boolean }> }> };
    expect(body.runbooks.map((x) => x.name)).toContain('game-day');
    expect(body.runbooks.find((x) => x.name === 'game-day')!.parameters.region).toMatchObject({ type: 'region', required: true });
  });

  it('runbook validate: ok for a good file; the file and line for a bad one, exit 1', async () => {
    const good = await lifeboat(['runbook', 'validate', 'runbooks/game-day.yaml']);
    expect(good.code, transcript(good)).toBe(0);
    expect(good.stdout.trim()).toBe('ok runbooks/game-day.yaml');

    const bad = join(tmp, 'broken.yaml');
    writeFileSync(bad, ['name: broken', 'description: a runbook with a typo', 'steps:', '  - id: first', '    action: evacuat', '    inputs: { region: us-east-1 }', ''].join('\n'));
    const r = await lifeboat(['runbook', 'validate', 'runbooks/game-day.yaml', bad]);
    expect(r.code, transcript(r)).toBe(1);
    expect(r.stdout).toContain('ok runbooks/game-day.yaml');
    expect(r.stdout).toContain(`${bad}:5: steps.0.action: unknown action`);
  });

  it('evacuate us-east-1 --wait follows it step by step; ops --json and op <id> show it; restore us-east-1 --wait --json brings it back', async () => {
    const r = await lifeboat(['evacuate', 'us-east-1', '--pace', 'stages', '--stages', '2', '--reason', 'cli test', '--wait', '--poll-ms', '50']);
    expect(r.code, transcript(r)).toBe(0);
    expect(r.stdout).toMatch(/✓ guard: /);
    expect(r.stdout).toMatch(/✓ prescale: .*\(\d+\.\d s\)/);
    expect(r.stdout).toMatch(/✓ stage-2\/verify: /);
    // Each stage's weights as the REPL shows them: from → to and the share after.
    expect(r.stdout).toMatch(/✓ stage-1\/apply-weights: .*\n\s+weights api\.example\.com: us-east-1 100→\d+ \(\d+\.\d%\), us-west-2 100→\d+ \(\d+\.\d%\)/);
    expect(r.stdout).toMatch(/✓ stage-2\/apply-weights: .*\n\s+weights api\.example\.com: us-east-1 \d+→0 \(0\.0%\)/);
    const done = r.stdout.match(/^evacuate (op_\S+) succeeded in [\d.]+ s/m);
    expect(done, transcript(r)).not.toBeNull();
    const evacuationId = done![1]!;

    const listed = await lifeboat(['ops', '--json', '--kind', 'evacuate']);
    expect(listed.code, transcript(listed)).toBe(0);
    const { operations } = JSON.parse(listed.stdout) as { operations: Array<{ id: string; state: string; request: Record<string, unknown> }> };
    expect(operations.find((o) => o.id === evacuationId)).toMatchObject({ state: 'succeeded', request: { region: 'us-east-1', reason: 'cli test' } });

    const one = await lifeboat(['op', evacuationId]);
    expect(one.code, transcript(one)).toBe(0);
    expect(one.stdout).toContain(`${evacuationId}  evacuate us-east-1  succeeded`);
    expect(one.stdout).toMatch(/✓ stage-1\/apply-weights: /);

    const restored = await lifeboat(['restore', 'us-east-1', '--wait', '--json', '--poll-ms', '50']);
    expect(restored.code, transcript(restored)).toBe(0);
    expect(JSON.parse(restored.stdout).operation).toMatchObject({ kind: 'restore', state: 'succeeded' });
  }, 120_000);

  it('a refused request (restore a region never evacuated) exits 1 with the code on stderr', async () => {
    const r = await lifeboat(['restore', 'us-west-2']);
    expect(r.code, transcript(r)).toBe(1);
    expect(r.stderr).toMatch(/^LB_ERR_REGION_NOT_EVACUATED: /m);
    expect(r.stderr).toMatch(/^hint: /m);
    const json = await lifeboat(['restore', 'us-west-2', '--json']);
    expect(json.code, transcript(json)).toBe(1);
    expect(json.stdout).toBe('');
    expect(JSON.parse(json.stderr).error.code).toBe('LB_ERR_REGION_NOT_EVACUATED');
  });

  it('switches (an error the API answers: exit 3), switches prepare and evacuate --fallback switch (refused: exit 1) where the cloud has no switches (the dry run)', async () => {
    const listed = await lifeboat(['switches']);
    expect(listed.code, transcript(listed)).toBe(3);
    expect(listed.stderr).toMatch(/^LB_ERR_SWITCH_NOT_PREPARED: /m);
    const prepared = await lifeboat(['switches', 'prepare', '--dry-run']);
    expect(prepared.code, transcript(prepared)).toBe(1);
    expect(prepared.stderr).toMatch(/^LB_ERR_SWITCH_NOT_PREPARED: /m);
    const evacuation = await lifeboat(['evacuate', 'eu-west-1', '--fallback', 'switch', '--dry-run']);
    expect(evacuation.code, transcript(evacuation)).toBe(1);
    expect(evacuation.stdout).toContain('LB_ERR_SWITCH_NOT_PREPARED');
  }, 120_000);

  it('plan evacuate prints the rendered plan and changes nothing', async () => {
    const r = await lifeboat(['plan', 'evacuate', 'eu-west-1', '--stages', '25,50,100']);
    expect(r.code, transcript(r)).toBe(0);
    expect(r.stdout).toMatch(/^Plan: evacuate eu-west-1/);
    expect(r.stdout).toContain('Stage 3 (100% of the move)');
  });

  it('runbook run game-day --wait pauses at the approval until `op <id> approve` from another process, then completes', async () => {
    // Started by the operator, approved by someone else (--token): the two-person rule holds either way.
    const run = start(['runbook', 'run', 'game-day', '--param', 'region=us-east-1', '--param', 'holdSeconds=0', '--param', 'stages=1', '--wait', '--poll-ms', '50']);
    const [, id] = await run.waitFor(/waiting for approval: Evacuate us-east-1 for the game day\?\s+— approve with: npx lifeboat op (run_\S+) approve/);
    expect(run.stdout()).toMatch(/✓ readiness: /);
    expect(run.stdout()).not.toMatch(/✓ evacuate: /);

    const approve = await lifeboat(['op', id!, 'approve', '--comment', 'go', '--token', TEST_TOKENS.approver]);
    expect(approve.code, transcript(approve)).toBe(0);
    expect(approve.stdout).toContain(`approved ${id}`);

    const r = await run.finished;
    expect(r.code, transcript(r)).toBe(0);
    expect(r.stdout).toMatch(/✓ approval: approved by api:approver: go/);
    expect(r.stdout).toMatch(/✓ evacuate: /);
    expect(r.stdout).toMatch(/✓ restore: /);
    expect(r.stdout).toMatch(new RegExp(`^runbook ${id} succeeded in`, 'm'));
  }, 45_000);

  it('a slip prints code, message, details and hint with "did you mean", and no stack trace', async () => {
    const r = await lifeboat(['evacuate', 'us-east1']);
    expect(r.code, transcript(r)).toBe(3);
    expect(r.stderr).toBe(
      [
        'LB_ERR_VALIDATION: region: "us-east1" is not an AWS region code such as us-east-1 (did you mean us-east-1?); managed regions: us-east-1, us-west-2, eu-west-1',
        'details: field=region, suggestion=us-east-1',
        'hint: Fix the fields named in details and send it again.',
        '',
      ].join('\n'),
    );
    const runbook = await lifeboat(['runbook', 'run', 'game-dya', '--param', 'region=us-east-1']);
    expect(runbook.stderr).toMatch(/^LB_ERR_UNKNOWN_RUNBOOK: no runbook named game-dya \(did you mean game-day\?\)/m);
    expect(runbook.stderr).toMatch(/^details: runbook=game-dya, suggestion=game-day$/m);
  });

  it('a region held by another operation: the refusal names the region asked for and the operation holding it, and says how to follow or cancel it', async () => {
    const holder = 'op_cli_holder_000000000000';
    await lb.deps.leases.acquire(holder, ['eu-west-1'], 60_000);
    try {
      const r = await lifeboat(['scale', 'eu-west-1', 'api', '12']);
      expect(r.code, transcript(r)).toBe(1);
      expect(r.stderr).toContain(`LB_ERR_REGION_LOCKED: scale eu-west-1 needs eu-west-1, which operation ${holder} holds`);
      expect(r.stderr).toContain(`details: region=eu-west-1, asked=eu-west-1, operationId=${holder}`);
      expect(r.stderr).toContain(`hint: Wait for it: npx lifeboat op ${holder} wait; or stop it: npx lifeboat op ${holder} cancel. Then ask again.`);
    } finally {
      await lb.deps.leases.release(holder, ['eu-west-1']);
    }
  });

  it('an unreachable API exits 4', async () => {
    const port = await freePort(); // nothing listens there
    const r = await lifeboat(['ops'], { LIFEBOAT_URL: `http://127.0.0.1:${port}` });
    expect(r.code, transcript(r)).toBe(4);
    expect(r.stderr).toMatch(/^LB_ERR_API_UNREACHABLE: cannot reach the lifeboat API at http:\/\/127\.0\.0\.1:\d+/m);
  });

  it('a bad flag or a missing argument exits 2 and sends nothing', async () => {
    const flag = await lifeboat(['evacuate', 'us-east-1', '--colour', 'blue']);
    expect(flag.code, transcript(flag)).toBe(2);
    expect(flag.stderr).toMatch(/^LB_ERR_USAGE: unknown option --colour/m);
    expect(flag.stderr).toContain('usage: lifeboat evacuate <region>');
    const missing = await lifeboat(['shift', 'us-east-1']);
    expect(missing.code, transcript(missing)).toBe(2);
    expect(missing.stderr).toContain('--percent is required');
    const command = await lifeboat(['evacuat', 'us-east-1']);
    expect(command.code, transcript(command)).toBe(2);
  });

  it('op without its id, or with an empty one, says the id is missing or empty and sends nothing (exit 2)', async () => {
    const cancel = await lifeboat(['op', 'cancel', '--rollback']);
    expect(cancel.code, transcript(cancel)).toBe(2);
    expect(cancel.stderr).toMatch(/^LB_ERR_USAGE: missing <id>: which operation to cancel\? \(op <id> cancel; npx lifeboat ops lists them\)$/m);
    expect(cancel.stderr).toContain('usage: lifeboat op <id> cancel [--rollback]');
    const empty = await lifeboat(['op', '', 'wait']);
    expect(empty.code, transcript(empty)).toBe(2);
    expect(empty.stderr).toMatch(/^LB_ERR_USAGE: the operation id is empty/m);
    expect(empty.stderr).not.toContain('(body)');
  });

  it('readiness exits 0 when N+1 ready and 5 when not', async () => {
    // Fleets of their own: the shared one is changed by other tests, which may run before this one.
    const readiness = async (services: ServiceSpec[]) => {
      const own = testLifeboat(new DryRunCloud(fleetReading(services)));
      const ownApi = await startApi(own);
      try {
        return await lifeboat(['readiness', '--refresh'], { LIFEBOAT_URL: ownApi.url });
      } finally {
        await ownApi.close();
        await own.close();
      }
    };
    const ready = await readiness(SERVICES);
    expect(ready.code, transcript(ready)).toBe(0);
    expect(ready.stdout).toMatch(/^N\+1 ready: /m);
    // A service whose survivors cannot grow (MaxSize = desired): each region's share of it has nowhere to go.
    const tight = await readiness([{ name: 'tight', dns: 'tight.example.com', regions: { 'us-east-1': { desired: 10, min: 1, max: 10, weight: 100 }, 'us-west-2': { desired: 10, min: 1, max: 10, weight: 100 } } }]);
    expect(tight.code, transcript(tight)).toBe(5);
    expect(tight.stdout).toMatch(/^NOT N\+1 ready: us-east-1, us-west-2 could not be absorbed/m);
  }, 60_000);

  it('an error the API answers (an unknown operation, no token, a token without the role) exits 3', async () => {
    const r = await lifeboat(['op', 'op_nosuch_000000000000']);
    expect(r.code, transcript(r)).toBe(3);
    expect(r.stderr).toMatch(/^LB_ERR_NOT_FOUND: /m);
    const anonymous = await lifeboat(['ops'], { LIFEBOAT_TOKEN: '' });
    expect(anonymous.code, transcript(anonymous)).toBe(3);
    expect(anonymous.stderr).toMatch(/^LB_ERR_UNAUTHENTICATED: /m);
    const viewer = await lifeboat(['evacuate', 'eu-west-1', '--token', TEST_TOKENS.viewer]);
    expect(viewer.code, transcript(viewer)).toBe(3);
    expect(viewer.stderr).toMatch(/^LB_ERR_FORBIDDEN: /m);
  });
});

describe('npx lifeboat dark-capacity', () => {
  // A fleet of its own (the shared one is evacuated and restored by the tests above), where
  // someone else already keeps a warm pool of 2 on api in eu-west-1: lifeboat must never touch it.
  const OTHERS_POOL = { size: 2, minSize: 2, poolState: 'Stopped' };
  let own: TestLifeboat;
  let ownApi: TestApi;
  let cloud: DryRunCloud;

  // A fleet, lifeboat and API per test: the tests run in either order, and one prepares pools the
  // other must not find.
  beforeEach(async () => {
    const reading = fleetReading(SERVICES);
    reading.groups.find((g) => g.name === 'api-eu-west-1')!.warmPool = { ...OTHERS_POOL };
    cloud = new DryRunCloud(reading);
    own = testLifeboat(cloud);
    own.startWorker();
    ownApi = await startApi(own);
  }, 60_000);

  afterEach(async () => {
    await ownApi?.close();
    await own?.close();
  });

  const run = (args: string[]) => lifeboat(args, { LIFEBOAT_URL: ownApi.url });
  const poolCalls = () => cloud.calls.filter((c) => c.action === 'setWarmPool' || c.action === 'deleteWarmPool');
  const poolsNow = async () => Object.fromEntries((await cloud.readFleet()).groups.filter((g) => g.warmPool).map((g) => [g.name, g.warmPool]));
  type Coverage = { service: string; region: string; growth: number; warm: number; cold: number };
  const coverageOf = async () => {
    const r = await run(['dark-capacity', '--refresh', '--json']);
    expect(r.code, transcript(r)).toBe(0);
    const body = JSON.parse(r.stdout) as { readiness: { regions: Array<{ region: string; warmCoverage?: Coverage[] }> } };
    return Object.fromEntries(body.readiness.regions.map((x) => [x.region, x.warmCoverage]));
  };

  it('shows per region that could be lost how much of each survivor\'s growth warm pools cover; prepare --dry-run shows the pools and changes nothing', async () => {
    // api: 10 instances in each of three regions (proportional, 10 % headroom). Losing one, each
    // survivor takes half of its 1/3 share: 10 + 5 × 1.1 = 15.5 → 16, a growth of 6, of which the
    // pool of 2 in eu-west-1 covers 2.
    const before = await run(['dark-capacity', '--refresh']);
    expect(before.code, transcript(before)).toBe(0);
    expect(before.stdout).toContain('if us-east-1 were evacuated:');
    expect(before.stdout).toMatch(/^\s+api\s+eu-west-1\s+6\s+2\s+4$/m);
    expect(before.stdout).toContain('no warm pool covers any growth if eu-west-1 were evacuated.');
    expect((await coverageOf())['us-west-2']).toContainEqual({ service: 'api', region: 'eu-west-1', growth: 6, warm: 2, cold: 4 });

    const dry = await run(['dark-capacity', 'prepare', '--dry-run']);
    expect(dry.code, transcript(dry)).toBe(0);
    expect(dry.stdout).toMatch(/^Plan: prepare-dark-capacity/m);
    expect(dry.stdout).toContain('sized for the loss of');
    expect(dry.stdout).toContain('WARM_POOL_NOT_OURS');
    expect(poolCalls()).toEqual([]);
    expect(await poolsNow()).toEqual({ 'api-eu-west-1': OTHERS_POOL });
  }, 60_000);

  it('prepare --wait sets the planned pools, audited; release --wait deletes only those, never the pool lifeboat did not create', async () => {
    const planned = await run(['dark-capacity', 'prepare', '--dry-run', '--json']);
    expect(planned.code, transcript(planned)).toBe(0);
    const changes = (JSON.parse(planned.stdout) as { plan: { warmPoolChanges: Array<{ region: string; group: string; to: { minSize: number } | null }> } }).plan.warmPoolChanges;
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.map((c) => c.group)).not.toContain('api-eu-west-1');

    const prepared = await run(['dark-capacity', 'prepare', '--reason', 'N+1 from warm pools', '--wait', '--poll-ms', '50']);
    expect(prepared.code, transcript(prepared)).toBe(0);
    expect(prepared.stdout).toMatch(/✓ set-warm-pools: /);
    const id = prepared.stdout.match(/^prepare-dark-capacity (op_\S+) succeeded/m)?.[1];
    expect(id, transcript(prepared)).toBeDefined();
    expect(poolCalls().map((c) => (c.action === 'setWarmPool' ? c.update.group : '')).sort()).toEqual(changes.map((c) => c.group).sort());
    const audit = await own.deps.audit.query({ operationId: id!, limit: 1000 });
    const sets = audit.filter((r) => r.action === 'aws.setWarmPool');
    expect(sets.map((r) => r.outcome)).toEqual(changes.map(() => 'succeeded'));
    expect(sets.map((r) => (r.inputs as { group: string }).group).sort()).toEqual(changes.map((c) => c.group).sort());
    const ops = await run(['ops', '--json', '--kind', 'prepare-dark-capacity']);
    expect((JSON.parse(ops.stdout) as { operations: Array<{ id: string; request: { reason?: string } }> }).operations.find((o) => o.id === id)?.request.reason).toBe('N+1 from warm pools');
    expect((await poolsNow())['api-eu-west-1']).toEqual(OTHERS_POOL);

    // Sized for the loss of the largest neighbour: whichever region is lost, the pools lifeboat set cover all of their group's growth.
    for (const [lost, coverage] of Object.entries(await coverageOf())) {
      for (const c of coverage ?? []) if (!(c.service === 'api' && c.region === 'eu-west-1')) expect(c, `losing ${lost}`).toMatchObject({ warm: c.growth, cold: 0 });
    }

    // Running it again has nothing to do: a refusal, exit 1.
    const again = await run(['dark-capacity', 'prepare']);
    expect(again.code, transcript(again)).toBe(1);
    expect(again.stderr).toMatch(/^LB_ERR_NOTHING_TO_DO: /m);

    const released = await run(['dark-capacity', 'release', '--wait', '--poll-ms', '50']);
    expect(released.code, transcript(released)).toBe(0);
    const deleted = poolCalls().filter((c) => c.action === 'deleteWarmPool').map((c) => (c.action === 'deleteWarmPool' ? c.group.group : ''));
    expect(deleted.sort()).toEqual(changes.map((c) => c.group).sort());
    expect(await poolsNow()).toEqual({ 'api-eu-west-1': OTHERS_POOL });
  }, 120_000);

  it('a mistyped subcommand: did you mean, exit 2, nothing sent', async () => {
    const r = await run(['dark-capacity', 'prepar', '--dry-run']);
    expect(r.code, transcript(r)).toBe(2);
    expect(r.stderr).toMatch(/^LB_ERR_USAGE: unknown subcommand "prepar" for dark-capacity \(did you mean prepare\?\): use dark-capacity prepare, dark-capacity release$/m);
  });
});

describe('progress lines while following (what the dry-run cloud is too quick to show)', () => {
  const base: OperationView = {
    id: 'op_x',
    kind: 'evacuate',
    state: 'running',
    actor: 'test',
    request: { kind: 'evacuate', region: 'us-east-1' },
    regions: [],
    createdAt: '2026-11-24T12:00:00.000Z',
    startedAt: '2026-11-24T12:00:00.000Z',
    forced: false,
    steps: [
      { id: 'prescale', kind: 'prescale', title: 'Pre-scale', state: 'succeeded', attempts: 1, outcome: '2 group(s) pinned', startedAt: '2026-11-24T12:00:00.000Z', finishedAt: '2026-11-24T12:00:01.500Z' },
      { id: 'await-capacity', kind: 'await-capacity', title: 'Wait for capacity in service', state: 'running', attempts: 1, startedAt: '2026-11-24T12:00:01.500Z' },
    ],
    links: { self: '/v1/operations/op_x', cancel: '/v1/operations/op_x/cancel' },
  };
  const capacity = (inService: number) => ({
    step: 'await-capacity',
    message: 'waiting for 1 group',
    at: '2026-11-24T12:00:02.000Z',
    capacity: [{ region: 'us-west-2', group: 'api-us-west-2', service: 'api', inService, target: 16 }],
  });

  it('prints each step once, a bar when capacity moves, a stuck flag, and the end with its duration', () => {
    const printer = new ProgressPrinter();
    const text = (v: OperationView) => printer.lines(v, Date.parse('2026-11-24T12:10:00.000Z')).map((l) => l.text);
    expect(text({ ...base, progress: capacity(4) })).toEqual([
      '  ✓ prescale: 2 group(s) pinned (1.5 s)',
      '  ▸ await-capacity: Wait for capacity in service',
      '      waiting for 1 group',
      '      api-us-west-2  [█████░░░░░░░░░░░░░░░]    4/16 in service',
    ]);
    expect(text({ ...base, progress: capacity(4) }), 'nothing changed, nothing printed').toEqual([]);
    const stuck = { ...base, progress: capacity(12), steps: [base.steps[0]!, { ...base.steps[1]!, stuck: true }] };
    expect(text(stuck)).toEqual(['      api-us-west-2  [███████████████░░░░░]   12/16 in service', '  ⚠ await-capacity looks stuck: running for 9m 59s, much longer than this step usually takes']);
    const done = { ...base, state: 'succeeded' as const, steps: [base.steps[0]!, { ...base.steps[1]!, state: 'succeeded' as const, outcome: '16 in service', finishedAt: '2026-11-24T12:00:31.500Z' }] };
    expect(text(done)).toEqual(['  ✓ await-capacity: 16 in service (30.0 s)']);
  });

  it('after a cancel without rollback part-way: the share each region has now and the next command, in CLI words; exit 1', () => {
    let stdout = '';
    let stderr = '';
    const out = new Output(false, { stdout: { write: (c: string) => (stdout += c) }, stderr: { write: (c: string) => (stderr += c) } });
    const cancelled: OperationView = {
      ...base,
      state: 'cancelled',
      finishedAt: '2026-11-24T12:01:00.000Z',
      cancel: { by: 'api:oncall', at: '2026-11-24T12:00:50.000Z', rollback: false },
      result: {
        summary: 'evacuate us-east-1: cancelled by api:oncall after 1 of 2 stage(s)',
        groupsChanged: 2,
        weightChanges: 3,
        stagesApplied: 1,
        trafficNow: [
          { name: 'api.example.com', region: 'us-east-1', share: 0.2 },
          { name: 'api.example.com', region: 'us-west-2', share: 0.4 },
          { name: 'api.example.com', region: 'eu-west-1', share: 0.4 },
        ],
        next: { kind: 'restore', region: 'us-east-1', why: 'brings its traffic back; evacuate again to finish instead' },
      },
    };
    expect(reportFinished(cancelled, out)).toBe(1);
    expect(stdout).toContain('  traffic now, api.example.com: us-east-1 20.0%, us-west-2 40.0%, eu-west-1 40.0%\n');
    expect(stdout).toContain('  next: npx lifeboat restore us-east-1  (brings its traffic back; evacuate again to finish instead)\n');
    expect(stderr).toMatch(/^LB_ERR_CANCELLED: evacuate op_x was cancelled by api:oncall/);
  });

  it('says when a run waits for an approval, and how to give it, as a notice (shown even with --json)', () => {
    const lines = new ProgressPrinter().lines({ ...base, id: 'run_y', kind: 'runbook', steps: [], awaitingApproval: { stepId: 'gate', message: 'go?', since: '2026-11-24T12:00:00.000Z' } });
    expect(lines[0]).toEqual({ text: '  ⏸ waiting for approval: go?  — approve with: npx lifeboat op run_y approve', notice: true });
  });
});
