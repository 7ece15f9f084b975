import { createHmac, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli } from '../../src/cli/cli';
import { DryRunCloud } from '../../src/cloud/dry-run/dry-run-cloud';
import { signTrigger } from '../../src/operations/trigger-signature';
import type { TestApi } from '../support/api-client';
import { startApi } from '../support/api-client';
import { apiInThreeRegions, fleetReading } from '../support/fleet-fixture';
import type { TestLifeboat } from '../support/harness';
import { testLifeboat } from '../support/harness';

/**
 * Signed alarm webhooks (issue 17, item 2): the signature covers the method, the path and
 * the body; each trigger id is accepted once; the minimum interval is claimed only by a
 * request that would start a run.
 */

const SECRET = 'a-trigger-secret-of-some-length';
// A lifeboat for each test: the runs one test triggers, the trigger ids it used and the minimum
// interval it claimed are not there for another to count (the tests run in a shuffled order).
let lb: TestLifeboat;
let api: TestApi;
beforeEach(async () => {
  // No worker: a triggered run stays queued, which is all these tests look at.
  lb = testLifeboat(new DryRunCloud(fleetReading(apiInThreeRegions())), { LIFEBOAT_TRIGGER_SECRET: SECRET, LIFEBOAT_TRIGGER_MIN_INTERVAL: '600' });
  api = await startApi(lb);
});
afterEach(async () => {
  await api.close();
  await lb.close();
});

const post = (runbook: string, body: string, headers: Record<string, string>) =>
  api.call('POST', `/v1/runbooks/${runbook}/trigger`, { raw: body, headers: { 'content-type': 'application/json', authorization: '', ...headers } });

/** Headers signed as docs/runbooks.md says, for `runbook`. */
function signed(runbook: string, body: string, o: { timestamp?: number; triggerId?: string } = {}) {
  const timestamp = String(o.timestamp ?? Math.floor(Date.now() / 1000));
  const triggerId = o.triggerId ?? randomUUID();
  return { 'x-lifeboat-timestamp': timestamp, 'x-lifeboat-trigger-id': triggerId, 'x-lifeboat-signature': signTrigger(SECRET, { method: 'POST', path: `/v1/runbooks/${runbook}/trigger`, timestamp, triggerId, body }) };
}

const runsOf = async (runbook: string) => (await lb.deps.runs.list()).filter((r) => r.data.runbook === runbook).length;

describe('signed triggers', () => {
  it('refuse a restore-region alarm replayed to evacuate-region: the signature covers the path', async () => {
    const body = JSON.stringify({ params: { region: 'us-east-1' } });
    const restoreAlarm = signed('restore-region', body);
    const replayed = await post('evacuate-region', body, restoreAlarm);
    expect(replayed.status).toBe(401);
    expect(replayed.body.error).toMatchObject({ code: 'LB_ERR_TRIGGER_SIGNATURE', message: expect.stringContaining('POST\\n/v1/runbooks/evacuate-region/trigger') });
    expect(await runsOf('evacuate-region')).toBe(0);
    // Its own runbook takes it.
    expect((await post('restore-region', body, restoreAlarm)).status).toBe(202);
  });

  it('refuse the old signing string (timestamp, a dot, the body) and a signature over another method', async () => {
    const body = JSON.stringify({ params: { region: 'eu-west-1' } });
    const headers = signed('evacuate-region', body);
    const ts = headers['x-lifeboat-timestamp'];
    const old = `sha256=${createHmac('sha256', SECRET).update(`${ts}.`).update(body).digest('hex')}`;
    expect((await post('evacuate-region', body, { ...headers, 'x-lifeboat-signature': old })).status).toBe(401);
    const asPut = signTrigger(SECRET, { method: 'PUT', path: '/v1/runbooks/evacuate-region/trigger', timestamp: ts, triggerId: headers['x-lifeboat-trigger-id'], body });
    expect((await post('evacuate-region', body, { ...headers, 'x-lifeboat-signature': asPut })).status).toBe(401);
    expect(await runsOf('evacuate-region')).toBe(0);
  });

  it('accept each trigger id once, and refuse a request without one or signed too long ago', async () => {
    const body = JSON.stringify({ alarm: 'HighErrorRate', params: { failWhenNotReady: false } });
    const headers = signed('readiness-report', body);
    const first = await post('readiness-report', body, headers);
    expect(first.status, first.text).toBe(202);
    const replay = await post('readiness-report', body, headers);
    expect(replay.status).toBe(409);
    expect(replay.body.error).toMatchObject({ code: 'LB_ERR_TRIGGER_REPLAYED', details: { triggerId: headers['x-lifeboat-trigger-id'] } });
    const { 'x-lifeboat-trigger-id': _id, ...withoutId } = signed('readiness-report', body);
    expect((await post('readiness-report', body, withoutId)).body.error).toMatchObject({ code: 'LB_ERR_TRIGGER_SIGNATURE', message: expect.stringContaining('X-Lifeboat-Trigger-Id is required') });
    const stale = signed('readiness-report', body, { timestamp: Math.floor(Date.now() / 1000) - 3600 });
    expect((await post('readiness-report', body, stale)).body.error.code).toBe('LB_ERR_TRIGGER_SIGNATURE');
    expect(await runsOf('readiness-report')).toBe(1);
  });

  it('check the parameters before claiming the minimum interval: a bad request does not lock the real alarm out', async () => {
    const bad = JSON.stringify({ params: { colour: 'blue' } });
    const refused = await post('shift-traffic', bad, signed('shift-traffic', bad));
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'LB_ERR_VALIDATION', details: { field: 'params.colour' } });
    const missing = JSON.stringify({ params: { from: 'us-west-2' } });
    expect((await post('shift-traffic', missing, signed('shift-traffic', missing))).status).toBe(400);
    // A slip in a region (a string, so its type is right) is refused as well, and says what was meant.
    const slip = JSON.stringify({ params: { from: 'us-west2', percent: 10 } });
    const slipped = await post('shift-traffic', slip, signed('shift-traffic', slip));
    expect(slipped.status).toBe(400);
    expect(slipped.body.error).toMatchObject({ code: 'LB_ERR_UNKNOWN_REGION', details: { field: 'params.from' } });
    expect(slipped.body.error.message).toContain('did you mean us-west-2?');
    const good = JSON.stringify({ params: { from: 'us-west-2', to: 'eu-west-1', percent: 10 } });
    const real = await post('shift-traffic', good, signed('shift-traffic', good));
    expect(real.status, real.text).toBe(202);
    // The interval holds for what comes after the run it let through.
    const next = await post('shift-traffic', good, signed('shift-traffic', good));
    expect(next.body.error.code).toBe('LB_ERR_TRIGGER_TOO_SOON');
  });
});

describe('npx lifeboat runbook trigger', () => {
  async function run(argv: string[], env: Record<string, string>) {
    let stdout = '';
    let stderr = '';
    const code = await cli(argv, { LIFEBOAT_URL: api.url, ...env }, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
    return { code, stdout, stderr };
  }

  it('signs and sends a trigger with the secret from the environment, and prints a signed curl with --print', async () => {
    const sent = await run(['runbook', 'trigger', 'game-day', '--param', 'region=us-west-2', '--source', 'cli-test'], { LIFEBOAT_TRIGGER_SECRET: SECRET });
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toMatch(/^triggered run_\S+: /);
    const runs = (await lb.deps.runs.list()).filter((r) => r.data.runbook === 'game-day');
    expect(runs.map((r) => [r.data.actor, r.data.params.region])).toEqual([['trigger:cli-test', 'us-west-2']]);

    const printed = await run(['runbook', 'trigger', 'evacuate-region', '--param', 'region=eu-west-1', '--print'], { LIFEBOAT_TRIGGER_SECRET: SECRET });
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain(`'${api.url}/v1/runbooks/evacuate-region/trigger'`);
    const header = (name: string) => new RegExp(`-H '${name}: ([^']+)'`).exec(printed.stdout)![1]!;
    const body = /--data-raw '([^']+)'/.exec(printed.stdout)![1]!;
    const res = await post('evacuate-region', body, { 'x-lifeboat-timestamp': header('x-lifeboat-timestamp'), 'x-lifeboat-trigger-id': header('x-lifeboat-trigger-id'), 'x-lifeboat-signature': header('x-lifeboat-signature') });
    expect(res.status, res.text).toBe(202);

    const noSecret = await run(['runbook', 'trigger', 'game-day'], {});
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toContain('LIFEBOAT_TRIGGER_SECRET is not set');
  });
});
