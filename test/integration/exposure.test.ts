import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DryRunCloud } from '../../src/cloud/dry-run/dry-run-cloud';
import { signedTriggerRequest } from '../../src/operations/trigger-signature';
import type { TestApi } from '../support/api-client';
import { startApi } from '../support/api-client';
import { apiInThreeRegions, fleetReading } from '../support/fleet-fixture';
import type { TestLifeboat } from '../support/harness';
import { TEST_TOKENS, testLifeboat } from '../support/harness';

/**
 * What a viewer can read (issue 17, item 6): a webhook URL (a Slack webhook's path is its
 * secret) and other secrets are redacted in operation and run views, in their event streams
 * and on the queue board (job data, job schedulers); the board's Redis details are for admin.
 */

const HOOK = 'https://hooks.slack.com/services/T000/B000/SECRETxyz';
const SECRET = 'a-trigger-secret-of-some-length';
const viewer = { authorization: `Bearer ${TEST_TOKENS.viewer}` };

let dir: string;
let lb: TestLifeboat;
let api: TestApi;
let runId: string;
let triggeredId: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lifeboat-exposure-'));
  writeFileSync(join(dir, 'schedules.yaml'), `- runbook: readiness-report\n  cron: "0 3 * * *"\n  params: { webhook: "${HOOK}", failWhenNotReady: false }\n`);
  // notify may not reach hooks.slack.com from here: only its view matters.
  lb = testLifeboat(new DryRunCloud(fleetReading(apiInThreeRegions())), { LIFEBOAT_RUNBOOK_POLL_MS: '50', LIFEBOAT_SCHEDULES_FILE: join(dir, 'schedules.yaml'), LIFEBOAT_TRIGGER_SECRET: SECRET, LIFEBOAT_OUTBOUND_HOSTS: 'nothing.invalid' });
  lb.startWorker();
  await lb.startMaintenance();
  api = await startApi(lb);
  const started = await api.call('POST', '/v1/runbooks/readiness-report/runs', { body: { params: { webhook: HOOK, failWhenNotReady: false } } });
  runId = started.body.operation.id;
  const trigger = signedTriggerRequest(SECRET, 'game-day', JSON.stringify({ alarm: 'HighErrorRate', runbookUrl: HOOK, apiKey: 'k-123456', params: { region: 'us-east-1', webhook: HOOK } }), Date.now());
  const triggered = await api.call('POST', trigger.path, { raw: trigger.body, headers: { ...trigger.headers, authorization: '' } });
  expect(triggered.status, triggered.text).toBe(202);
  triggeredId = triggered.body.operation.id;
  await lb.waitFor(runId);
});
afterAll(async () => {
  await api.close();
  await lb.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('what a viewer reads', () => {
  it('shows runs without their webhook URLs or secrets: the view, the list, the trigger payload', async () => {
    const view = await api.call('GET', `/v1/operations/${runId}`, { headers: viewer });
    expect(view.status).toBe(200);
    expect(view.text).not.toContain('SECRETxyz');
    expect(view.body.operation.request.params.webhook).toBe('https://hooks.slack.com/[redacted]');

    const triggered = await api.call('GET', `/v1/operations/${triggeredId}`, { headers: viewer });
    expect(triggered.text).not.toMatch(/SECRETxyz|k-123456/);
    expect(triggered.body.operation.request.trigger.payload).toMatchObject({ alarm: 'HighErrorRate', runbookUrl: 'https://hooks.slack.com/[redacted]', apiKey: '[redacted]' });

    const list = await api.call('GET', '/v1/operations?kind=runbook', { headers: viewer });
    expect(list.body.operations.length).toBeGreaterThanOrEqual(2);
    expect(list.text).not.toMatch(/SECRETxyz|k-123456/);
  });

  it('streams a run’s events without its secrets', async () => {
    const res = await fetch(`${api.url}/v1/operations/${runId}/events`, { headers: viewer });
    expect(res.status).toBe(200);
    const text = await res.text(); // the run has finished: the stream ends after operation.finished
    expect(text).toContain('event: operation.finished');
    expect(text).not.toContain('SECRETxyz');
  });

  it('shows the queue board’s jobs and job schedulers without secrets, to viewers and admin alike', async () => {
    for (const headers of [viewer, { authorization: `Bearer ${TEST_TOKENS.admin}` }]) {
      const runs = await api.call('GET', '/admin/queues/api/queues?activeQueue=runbooks&status=latest&page=1&jobsPerPage=50', { headers });
      expect(runs.status).toBe(200);
      const jobs = (runs.body.queues as Array<{ name: string; jobs: Array<{ data: { params?: { webhook?: string } } }> }>).find((q) => q.name === 'runbooks')!.jobs;
      expect(jobs.map((j) => j.data.params?.webhook)).toContain('https://hooks.slack.com/[redacted]');
      expect(runs.text).not.toMatch(/SECRETxyz|k-123456/);
      const job = await api.call('GET', `/admin/queues/api/queues/runbooks/${runId}`, { headers });
      expect(job.status).toBe(200);
      expect(job.text).not.toContain('SECRETxyz');
      const schedulers = await api.call('GET', '/admin/queues/api/job-schedulers', { headers });
      expect(schedulers.status).toBe(200);
      expect(schedulers.text).toContain('readiness-report');
      expect(schedulers.text).not.toContain('SECRETxyz');
    }
  });

  it('keeps the Redis server’s details (version, memory, the host’s OS) for admin', async () => {
    for (const who of ['viewer', 'operator', 'approver2'] as const) {
      const res = await api.call('GET', '/admin/queues/api/redis/stats', { headers: { authorization: `Bearer ${TEST_TOKENS[who]}` } });
      expect(res.status, who).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'LB_ERR_FORBIDDEN', details: { needed: 'admin' } });
      expect(res.text).not.toMatch(/Linux|version/);
    }
    const admin = await api.call('GET', '/admin/queues/api/redis/stats', { headers: { authorization: `Bearer ${TEST_TOKENS.admin}` } });
    expect(admin.status).toBe(200);
    expect(admin.body).toHaveProperty('version');
    // The read-only board does not offer what it cannot show (its page would go blank on the 403).
    expect((await api.call('GET', '/admin/queues', { headers: viewer })).text).toContain('"hideRedisDetails":true');
    expect((await api.call('GET', '/admin/queues', { headers: { authorization: `Bearer ${TEST_TOKENS.admin}` } })).text).toContain('"hideRedisDetails":false');
  });
});
