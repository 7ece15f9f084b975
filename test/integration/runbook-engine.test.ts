import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DryRunCloud } from '../../src/cloud/dry-run/dry-run-cloud';
import { approveRun } from '../../src/runbooks/approve-run';
import { startRun } from '../../src/runbooks/start-run';
import type { OperationView } from '../../src/operations/operation-views';
import { fleetReading } from '../support/fleet-fixture';
import type { TestLifeboat } from '../support/harness';
import { testLifeboat } from '../support/harness';
import type { WebhookReceiver } from '../support/webhook-receiver';
import { startWebhookReceiver } from '../support/webhook-receiver';

let lb: TestLifeboat;
let hook: WebhookReceiver;

beforeAll(async () => {
  lb = testLifeboat(new DryRunCloud(fleetReading([{ name: 'api', dns: 'api.example.com', regions: { 'us-east-1': { desired: 4, weight: 1 }, 'us-west-2': { desired: 4, weight: 1 } } }])), {
    LIFEBOAT_RUNBOOKS_DIR: join(__dirname, '..', 'fixtures', 'runbooks'),
    LIFEBOAT_RUNBOOK_POLL_MS: '50',
    // The webhook receiver listens on loopback, which notify reaches only when listed.
    LIFEBOAT_OUTBOUND_HOSTS: '127.0.0.1',
  });
  await lb.ready();
  lb.startWorker();
  hook = await startWebhookReceiver();
});

afterAll(async () => {
  await hook.close();
  await lb.close();
});

async function run(name: string, params: Record<string, unknown> = {}): Promise<OperationView> {
  const started = await startRun(name, params, { actor: 'tester' }, lb.deps);
  return lb.waitFor(started.id);
}

const states = (v: OperationView) => Object.fromEntries(v.steps.map((s) => [s.id, s.state]));

describe('onFailure', () => {
  it('continue: the run goes past the failed step and succeeds', async () => {
    const v = await run('on-failure-continue');
    expect(v.state).toBe('succeeded');
    expect(states(v)).toEqual({ check: 'failed', after: 'succeeded' });
    expect(v.steps[0]!.outcome).toBe('one is not two');
  });

  it('abort: the run stops and fails with the step’s error', async () => {
    const v = await run('on-failure-abort');
    expect(v.state).toBe('failed');
    expect(states(v)).toEqual({ check: 'failed', after: 'skipped' });
    expect(v.error).toMatchObject({ code: 'LB_ERR_ASSERTION_FAILED', message: 'one is not two' });
  });

  it('goto: the run jumps to the named step', async () => {
    const v = await run('on-failure-goto');
    expect(v.state).toBe('succeeded');
    expect(states(v)).toEqual({ check: 'failed', skipped: 'skipped', recover: 'succeeded' });
  });

  it('goto: a step entered again is a new execution, with its own attempts and times; a loop ends at the execution limit', async () => {
    const v = await run('goto-loop');
    expect(v.state).toBe('failed');
    expect(v.error).toMatchObject({ code: 'LB_ERR_RUNBOOK_INVALID' });
    // 200 executions (a, b, a, b, ...): b ran last, once, on its own record; the 201st (a) never ran.
    const [a, b] = ['a', 'b'].map((id) => v.steps.find((s) => s.id === id)!);
    expect(b).toMatchObject({ state: 'failed', attempts: 1 });
    expect(a).toMatchObject({ state: 'skipped', attempts: 0 });
  });

  it('rollback: a failed assert runs the rollback steps, and the run fails', async () => {
    const before = hook.messages.length;
    const v = await run('assert-rollback', { webhook: hook.url });
    expect(v.state).toBe('failed');
    expect(states(v)).toEqual({ announce: 'succeeded', check: 'failed', never: 'skipped', 'rollback/undo': 'succeeded' });
    expect(hook.messages.slice(before).map((m) => m.text)).toEqual(['starting', 'rolled back after true']);
  });
});

describe('approvals', () => {
  it('block the run until someone approves, and record who', async () => {
    const started = await startRun('approval', {}, { actor: 'alice' }, lb.deps);
    const waiting = await waitUntil(started.id, (v) => !!v.awaitingApproval);
    expect(waiting.state).toBe('running');
    expect(waiting.awaitingApproval).toMatchObject({ stepId: 'gate', message: 'go ahead?' });
    await approveRun(started.id, { by: 'bob', comment: 'ship it' }, lb.deps);
    const done = await lb.waitFor(started.id);
    expect(done.state).toBe('succeeded');
    expect(done.steps[0]!.outcome).toBe('approved by bob: ship it');
    expect(done.result!.outputs!).toEqual({ approver: 'bob' });
  });

  it('time out when nobody approves', async () => {
    const v = await run('approval');
    expect(v.state).toBe('failed');
    expect(v.error?.code).toBe('LB_ERR_APPROVAL_TIMEOUT');
  });

  it('refuse an approval by the one who started the run under the two-person rule', async () => {
    const started = await startRun('approval', {}, { actor: 'alice' }, lb.deps);
    await waitUntil(started.id, (v) => !!v.awaitingApproval);
    await expect(approveRun(started.id, { by: 'alice', twoPersonRule: true }, lb.deps)).rejects.toMatchObject({ code: 'LB_ERR_APPROVAL_SAME_ACTOR' });
    await approveRun(started.id, { by: 'carol', decision: 'reject', comment: 'not today' }, lb.deps);
    const done = await lb.waitFor(started.id);
    expect(done.state).toBe('failed');
    expect(done.error).toMatchObject({ code: 'LB_ERR_APPROVAL_REJECTED', message: 'rejected by carol: not today' });
    await expect(approveRun(started.id, { by: 'bob' }, lb.deps)).rejects.toMatchObject({ code: 'LB_ERR_APPROVAL_NOT_PENDING' });
  });
});

describe('retries, children, parameters', () => {
  it('retries a failing step and succeeds on the third attempt', async () => {
    hook.failNext(2);
    const v = await run('retries', { webhook: hook.url });
    expect(v.state).toBe('succeeded');
    expect(v.steps[0]).toMatchObject({ state: 'succeeded', attempts: 3 });
  });

  it('runs a child runbook and reads its outputs', async () => {
    const v = await run('parent');
    expect(v.state).toBe('succeeded');
    expect(v.steps[0]!.outputs).toMatchObject({ doubled: 42 });
  });

  it('retries a failed child runbook by starting a new child, not waiting on the failed one again', async () => {
    hook.failNext(1);
    const v = await run('parent-retry', { webhook: hook.url });
    expect(v.state).toBe('succeeded');
    expect(v.steps[0]).toMatchObject({ state: 'succeeded', attempts: 2 });
    expect(v.steps[0]!.outputs!.runId).toBe(`${v.id}.child.2`);
  });

  it('refuses a run without a required parameter, or with one it does not declare', async () => {
    await expect(startRun('retries', {}, { actor: 't' }, lb.deps)).rejects.toMatchObject({ code: 'LB_ERR_VALIDATION', message: 'runbook retries needs parameter webhook' });
    await expect(startRun('retries', { webhook: 'x', colour: 1 }, { actor: 't' }, lb.deps)).rejects.toMatchObject({ code: 'LB_ERR_VALIDATION' });
    await expect(startRun('nope', {}, { actor: 't' }, lb.deps)).rejects.toMatchObject({ code: 'LB_ERR_UNKNOWN_RUNBOOK' });
  });
});

async function waitUntil(id: string, ok: (v: OperationView) => boolean): Promise<OperationView> {
  const until = Date.now() + 10_000;
  for (;;) {
    const v = await lb.waitFor(id, ['running', 'queued', 'succeeded', 'failed', 'cancelled']);
    if (ok(v)) return v;
    if (Date.now() > until) throw new Error(`condition not met: ${JSON.stringify(v.steps)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
