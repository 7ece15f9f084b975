import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DryRunCloud } from '../../src/cloud/dry-run/dry-run-cloud';
import type { TestApi } from '../support/api-client';
import { startApi } from '../support/api-client';
import { apiInThreeRegions, fleetReading } from '../support/fleet-fixture';
import type { TestLifeboat } from '../support/harness';
import { TEST_TOKENS, testLifeboat } from '../support/harness';
import { ManualClock } from '../support/manual-clock';
import { parseMetrics, sampleValue } from '../support/prometheus-text';

/**
 * Requests refused before anyone is identified cannot fill the audit trail (issue 17, item 5):
 * each is counted in lifeboat_unauthenticated_requests_total, and the audit trail gets at most
 * one record a minute per reason (on lifeboat's clock) saying how many there were. Refusals of someone
 * identified are still each recorded.
 */

// A lifeboat and a clock for each test: the minute's audit record one test leaves is not there
// for another to count (the tests run in a shuffled order).
let clock: ManualClock;
let lb: TestLifeboat;
let api: TestApi;
beforeEach(async () => {
  clock = new ManualClock(Date.now());
  lb = testLifeboat(new DryRunCloud(fleetReading(apiInThreeRegions())), { LIFEBOAT_TRIGGER_SECRET: 'a-trigger-secret-of-some-length' }, clock);
  api = await startApi(lb);
});
afterEach(async () => {
  await api.close();
  await lb.close();
});

const denied = async (action: string) => (await lb.deps.audit.query({ action, limit: 1000 })).filter((r) => r.actor === 'api:unauthenticated');
const refusedCount = async (reason: string) => sampleValue(parseMetrics((await api.call('GET', '/metrics', { headers: { authorization: `Bearer ${TEST_TOKENS.viewer}` } })).text), 'lifeboat_unauthenticated_requests_total', { reason }) ?? 0;

describe('requests refused before authentication', () => {
  it('150 anonymous changes: all refused and counted, one audit record saying how many', async () => {
    const before = await refusedCount('no_token');
    const statuses = new Set<number>();
    for (let i = 0; i < 150; i++) statuses.add((await api.call('POST', '/v1/operations', { body: { kind: 'evacuate', region: 'us-east-1' }, headers: { authorization: '' } })).status);
    expect([...statuses]).toEqual([401]);
    expect((await refusedCount('no_token')) - before).toBe(150);
    const records = await denied('auth.denied');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ outcome: 'denied', inputs: { method: 'POST', path: '/v1/operations', reason: 'no_token', refusedSinceLastRecord: 1 } });

    // A minute on, the next refusal is recorded with the count of those the record before it left out.
    await clock.advance(60_000);
    await api.call('POST', '/v1/plans', { body: {}, headers: { authorization: '' } });
    const after = await denied('auth.denied');
    expect(after).toHaveLength(2);
    expect(after[0]).toMatchObject({ inputs: { path: '/v1/plans', reason: 'no_token', refusedSinceLastRecord: 150 } });
  });

  it('counts refused logins, unknown sessions and unsigned triggers by reason, with one audit record per reason a minute', async () => {
    const reasons = ['unknown_token', 'unknown_session', 'bad_trigger_signature'];
    const before = await Promise.all(reasons.map(refusedCount));
    const auditBefore = (await denied('auth.denied')).length + (await denied('run.trigger')).length;
    for (let i = 0; i < 20; i++) {
      expect((await api.call('POST', '/v1/session', { body: { token: 'lbt_not-a-known-token-0000000' }, headers: { authorization: '' } })).status).toBe(401);
      expect((await api.call('POST', '/v1/operations', { body: {}, headers: { authorization: '', cookie: 'lifeboat_token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } })).status).toBe(401);
      expect((await api.call('POST', '/v1/runbooks/readiness-report/trigger', { raw: '{}', headers: { authorization: '', 'content-type': 'application/json' } })).status).toBe(401);
    }
    const after = await Promise.all(reasons.map(refusedCount));
    expect(after.map((n, i) => n - before[i]!)).toEqual([20, 20, 20]);
    // One record per reason for the minute.
    expect((await denied('auth.denied')).length + (await denied('run.trigger')).length - auditBefore).toBe(3);
    expect((await denied('run.trigger'))[0]).toMatchObject({ inputs: { reason: 'bad_trigger_signature', refusedSinceLastRecord: 1 } });
  });

  it('still records each refusal of someone identified', async () => {
    const before = (await lb.deps.audit.query({ action: 'auth.denied', actor: 'api:viewer', limit: 1000 })).length;
    for (let i = 0; i < 3; i++) expect((await api.call('POST', '/v1/operations', { body: {}, headers: { authorization: `Bearer ${TEST_TOKENS.viewer}` } })).status).toBe(403);
    expect((await lb.deps.audit.query({ action: 'auth.denied', actor: 'api:viewer', limit: 1000 })).length - before).toBe(3);
  });
});
