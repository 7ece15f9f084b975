import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DryRunCloud } from '../../src/cloud/dry-run/dry-run-cloud';
import type * as LoggerModule from '../../src/operations/logger';
import { logger } from '../../src/operations/logger';
import type { TestApi } from '../support/api-client';
import { startApi } from '../support/api-client';
import { apiInThreeRegions, fleetReading } from '../support/fleet-fixture';
import type { TestLifeboat } from '../support/harness';
import { TEST_TOKENS, testLifeboat } from '../support/harness';

// Every module logs through src/logger's `logger`: here it is the real configuration
// (mixin, redaction, JSON), writing into an array instead of stdout.
const captured = vi.hoisted(() => ({ lines: [] as string[] }));
vi.mock('../../src/operations/logger', async (importOriginal) => {
  const actual = await importOriginal<typeof LoggerModule>();
  return { ...actual, logger: actual.createLogger({ level: 'debug', format: 'json', destination: { write: (line: string) => void captured.lines.push(line) } }) };
});

type Line = Record<string, unknown> & { msg: string; level: number };
const parsed = (): Line[] => captured.lines.map((l) => JSON.parse(l) as Line);

const threeRegionCloud = () =>
  new DryRunCloud(
    fleetReading(apiInThreeRegions()),
  );

let lb: TestLifeboat;
let api: TestApi;
beforeAll(async () => {
  lb = testLifeboat(threeRegionCloud());
  lb.startWorker();
  api = await startApi(lb);
});
afterAll(async () => {
  await api.close();
  await lb.close();
});

describe('logs of an operation', () => {
  it('are JSON lines with operationId, step and region on every line, and never a token', async () => {
    captured.lines.length = 0;
    // Paced by stages: many steps, so many lines to check.
    const submitted = await api.call('POST', '/v1/operations', { body: { kind: 'evacuate', pace: 'stages', region: 'us-east-1' }, headers: { cookie: 'lifeboat_token=not-a-real-one' } });
    expect(submitted.status).toBe(202);
    const id = submitted.body.operation.id as string;
    expect((await lb.waitFor(id)).state).toBe('succeeded');
    // A refused request and a read, with tokens, too.
    expect((await api.call('GET', '/v1/operations', { headers: { authorization: `Bearer ${TEST_TOKENS.viewer}` } })).status).toBe(200);
    expect((await api.call('POST', '/v1/operations', { body: { kind: 'evacuate', region: 'us-east-1' }, headers: { authorization: `Bearer ${TEST_TOKENS.viewer}` } })).status).toBe(403);
    expect((await api.call('GET', '/v1/fleet', { headers: { authorization: 'Bearer lbt_not-a-known-token-0000000' } })).status).toBe(401);

    const lines = parsed();
    const ofOperation = lines.filter((l) => l.operationId === id);
    const messages = ofOperation.map((l) => l.msg);
    for (const expected of ['operation started', 'step started', 'step finished', 'AWS setGroupSize', 'AWS setWeights', 'operation finished']) expect(messages).toContain(expected);
    // Every line logged while the operation ran, whoever logged it: the runner, the steps, the audited cloud.
    const first = lines.findIndex((l) => l.msg === 'operation started' && l.operationId === id);
    const last = lines.findIndex((l) => l.msg === 'operation finished' && l.operationId === id);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(last).toBeGreaterThan(first);
    const during = lines.slice(first, last + 1).filter((l) => !('method' in l)); // request lines of other requests may interleave
    expect(during.length).toBeGreaterThan(20);
    for (const line of during) {
      expect(line, JSON.stringify(line)).toMatchObject({ operationId: id, region: 'us-east-1' });
      expect('step' in line, JSON.stringify(line)).toBe(true);
    }
    // Within a step, the step's id; between steps (start, finish), null.
    const stepLines = during.filter((l) => l.msg === 'step finished' || l.msg.startsWith('AWS '));
    for (const line of stepLines) expect(typeof line.step).toBe('string');
    expect(during.find((l) => l.msg === 'step finished' && l.step === 'prescale')).toMatchObject({ kind: 'prescale', state: 'succeeded', durationMs: expect.any(Number), outcome: expect.any(String) });
    expect(during.find((l) => l.msg === 'AWS setGroupSize')).toMatchObject({ step: 'prescale', level: 30, outcome: 'succeeded', awsRegions: [expect.any(String)] });
    expect(during.find((l) => l.msg === 'operation finished')).toMatchObject({ step: null, state: 'succeeded', level: 30, durationMs: expect.any(Number) });

    // One line per request, without headers.
    expect(lines.find((l) => l.msg === 'POST /v1/operations 202')).toMatchObject({ method: 'POST', status: 202, level: 30, actor: 'api:admin' });
    expect(lines.find((l) => l.msg === 'POST /v1/operations 403')).toMatchObject({ status: 403, level: 30 });
    const all = captured.lines.join('\n');
    for (const secret of [TEST_TOKENS.admin, TEST_TOKENS.viewer, 'lbt_not-a-known-token', 'not-a-real-one']) expect(all).not.toContain(secret);
    expect(all).not.toMatch(/authorization|bearer/i);
  });

  it('of a runbook run carry the run id, the runbook step and the region, apart from the operation it starts', async () => {
    // A fleet of its own: the test above evacuated us-east-1 of the shared one.
    const own = testLifeboat(threeRegionCloud());
    own.startWorker();
    const ownApi = await startApi(own);
    try {
      captured.lines.length = 0;
      const started = await ownApi.call('POST', '/v1/runbooks/evacuate-region/runs', { body: { params: { region: 'eu-west-1', pace: 'stages', stages: 1 } } });
      expect(started.status).toBe(202);
      const runId = started.body.operation.id as string;
      const run = await own.waitFor(runId, ['succeeded', 'failed', 'refused', 'cancelled'], 30_000);
      expect(run.state).toBe('succeeded');

      const lines = parsed();
      const ofRun = lines.filter((l) => l.operationId === runId);
      for (const line of ofRun) expect(line, JSON.stringify(line)).toMatchObject({ region: 'eu-west-1' });
      expect(ofRun.find((l) => l.msg === 'runbook run started')).toMatchObject({ step: null, runbook: 'evacuate-region', resumed: false });
      expect(ofRun.filter((l) => l.msg === 'runbook step finished').map((l) => [l.step, l.state])).toEqual([
        ['preview', 'succeeded'],
        ['safe', 'succeeded'],
        ['evacuate', 'succeeded'],
        ['verify', 'succeeded'],
      ]);
      expect(ofRun.find((l) => l.msg === 'runbook step skipped')).toMatchObject({ step: 'announce', action: 'notify' });
      expect(ofRun.find((l) => l.msg === 'runbook run finished')).toMatchObject({ step: null, state: 'succeeded', durationMs: expect.any(Number) });

      // The evacuation the run started logs under its own id, with its own steps.
      const childId = run.result?.outputs?.operationId as string;
      expect(childId).not.toBe(runId);
      const ofChild = lines.filter((l) => l.operationId === childId);
      expect(ofChild.find((l) => l.msg === 'AWS setWeights')).toMatchObject({ region: 'eu-west-1', step: 'stage-1/apply-weights' });
    } finally {
      await ownApi.close();
      await own.close();
    }
  });

  it('redacts authorization headers and cookies whoever logs them', async () => {
    captured.lines.length = 0;
    logger.info({ req: { headers: { authorization: `Bearer ${TEST_TOKENS.admin}`, cookie: 'lifeboat_token=x' } }, headers: { Authorization: 'Bearer y' } }, 'a request');
    const line = captured.lines.join('');
    expect(line).not.toContain(TEST_TOKENS.admin);
    expect(line).not.toContain('Bearer y');
    expect(JSON.parse(line)).toMatchObject({ req: { headers: { authorization: '[redacted]', cookie: '[redacted]' } }, headers: { Authorization: '[redacted]' } });
  });
});
