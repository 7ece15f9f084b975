import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AwsCloud } from '../../src/cloud/aws/aws-cloud';
import type { TestApi } from '../support/api-client';
import { startApi } from '../support/api-client';
import { FAULT_FLEET, figures, operationMs } from '../support/fault-scenarios';
import type { TestLifeboat } from '../support/harness';
import { TEST_TOKENS, testLifeboat } from '../support/harness';
import { parseMetrics, sampleValue } from '../support/prometheus-text';
import type { ProxiedFleet } from '../support/proxied-fleet';
import { startProxiedFleet } from '../support/proxied-fleet';

/**
 * One region's Auto Scaling endpoint hangs (the fault proxy in front of moto holds its
 * requests without an answer), as it does when the region lifeboat must evacuate is failing.
 * lifeboat talks to AWS with the SDK's production patience (8 attempts of 10 s): its health
 * stays green, its status names the region, plans use the region's last good reading, and
 * the evacuation of that very region is accepted within seconds, completes, and writes
 * nothing there.
 */

const HUNG = 'us-east-1';
const SURVIVORS = ['us-west-2', 'eu-west-1'];
/** What the issue asks of accepting an evacuation whose region hangs. */
const ACCEPT_BOUND_MS = 5000;

let pf: ProxiedFleet;
let lb: TestLifeboat | undefined;
let api: TestApi | undefined;
let cloud: AwsCloud;

beforeAll(async () => {
  pf = await startProxiedFleet(FAULT_FLEET);
}, 60_000);

beforeEach(async () => {
  await pf.reset();
  // Production patience for the steps: a hung call is retried 8 times, 10 s each.
  cloud = pf.cloud({ maxAttempts: 8, requestTimeoutMs: 10_000 });
  lb = testLifeboat(cloud, { LIFEBOAT_PLAN_READ_TIMEOUT_MS: '3000', LIFEBOAT_AWS_PROBE_TIMEOUT_MS: '1000' });
  api = await startApi(lb);
});

afterEach(async () => {
  await api?.close();
  await lb?.close();
  api = undefined;
  lb = undefined;
});

afterAll(async () => {
  await pf?.stop();
});

const hang = () => pf.proxy.patchProfile({ unreachable: [{ region: HUNG, service: 'autoscaling', mode: 'hang' }] });
const viewer = { authorization: `Bearer ${TEST_TOKENS.viewer}` };

/** Calls lifeboat made to a region's own endpoints (Route 53 is global), other than reads (Describe*), as the proxy counted them. */
function writesTo(region: string): number {
  return pf.proxy
    .counters()
    .filter((c) => c.region === region && c.service !== 'route53' && !c.action.startsWith('Describe'))
    .reduce((a, c) => a + c.count, 0);
}

describe('one region whose Auto Scaling endpoint hangs', () => {
  it('/readyz stays 200 without a token, /v1/status and the metric name the region, the survivors are up', async () => {
    hang();
    const ready = await api!.call('GET', '/readyz', { headers: { authorization: '' } });
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
    expect(Object.keys(ready.body.checks)).toEqual(['redis']);

    const status = await api!.call('GET', '/v1/status', { headers: viewer });
    expect(status.status).toBe(200);
    const probe = (service: string, region: string) => status.body.status.aws.find((a: { service: string; region: string }) => a.service === service && a.region === region);
    expect(probe('autoscaling', HUNG)).toMatchObject({ ok: false });
    for (const r of SURVIVORS) expect(probe('autoscaling', r)).toMatchObject({ ok: true });
    expect(probe('route53', 'us-east-1')).toMatchObject({ ok: true });
    expect(status.body.status.awsDown).toEqual([`autoscaling:${HUNG}`]);
    expect(status.body.status.regions[HUNG].autoscaling).toBe('down');
    expect(status.body.status.redis).toMatchObject({ connection: 'ready', role: 'master' });
    expect(status.body.status.workers).toEqual({ connected: 0 });

    const samples = parseMetrics((await api!.call('GET', '/metrics', { headers: viewer })).text);
    expect(sampleValue(samples, 'lifeboat_aws_endpoint_up', { service: 'autoscaling', region: HUNG })).toBe(0);
    for (const r of SURVIVORS) expect(sampleValue(samples, 'lifeboat_aws_endpoint_up', { service: 'autoscaling', region: r })).toBe(1);
    expect(sampleValue(samples, 'lifeboat_aws_endpoint_up', { service: 'route53', region: 'us-east-1' })).toBe(1);
  }, 60_000);

  it('is planned from its last good reading, with its age; its evacuation is accepted within seconds, completes, and writes nothing there', async () => {
    lb!.startWorker();
    // A good read first: lifeboat keeps each region's last good reading.
    expect((await api!.call('POST', '/v1/plans', { body: { kind: 'evacuate', region: HUNG } })).status).toBe(200);
    hang();
    pf.proxy.resetCounters();

    const planStarted = Date.now();
    const planned = await api!.call('POST', '/v1/plans', { body: { kind: 'evacuate', region: HUNG, stages: 2 } });
    const planMs = Date.now() - planStarted;
    expect(planned.status).toBe(200);
    const stale = planned.body.plan.warnings.find((w: { code: string }) => w.code === 'REGION_FROM_SNAPSHOT');
    expect(stale, JSON.stringify(planned.body.plan.warnings)).toBeDefined();
    expect(stale.details).toMatchObject({ region: HUNG });
    expect(stale.details.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(Date.parse(stale.details.takenAt)).toBeLessThanOrEqual(planStarted);
    expect(planned.body.plan.blockers).toEqual([]);

    const acceptStarted = Date.now();
    const accepted = await api!.call('POST', '/v1/operations', { body: { kind: 'evacuate', pace: 'stages', region: HUNG, stages: 2, dwellSeconds: 0 } });
    const acceptMs = Date.now() - acceptStarted;
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    // How long it took is a figure (below), not an assertion: npm test holds no timing bounds.

    const done = await lb!.waitFor(accepted.body.operation.id, undefined, 60_000);
    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');
    const weights = (await pf.fleet.state()).weights;
    for (const name of done.plan!.names) expect(weights[name]![HUNG]).toBe(0);
    // Nothing written to the failing region; survivors' calls neither failed nor were retried.
    expect(writesTo(HUNG)).toBe(0);
    for (const c of cloud.stats.snapshot().filter((c) => SURVIVORS.includes(c.region))) {
      expect({ ...c, failures: c.failures, retries: c.attempts - c.calls }).toMatchObject({ failures: 0, retries: 0 });
    }

    figures('Auto Scaling in us-east-1 hangs (SDK: 8 attempts of 10 s)', {
      planMs,
      acceptMs,
      acceptBoundMs: ACCEPT_BOUND_MS,
      planReadDeadlineMs: 3000,
      snapshotAgeS: stale.details.ageSeconds,
      operationMs: operationMs(done),
      writesToHungRegion: writesTo(HUNG),
    });
  }, 90_000);

  it('never read well before: the plan says so as a blocker, and the evacuation is refused at once with LB_ERR_REGION_UNREADABLE', async () => {
    hang();
    const planned = await api!.call('POST', '/v1/plans', { body: { kind: 'evacuate', region: HUNG } });
    expect(planned.status).toBe(200);
    expect(planned.body.plan.blockers.map((b: { code: string; details: unknown }) => [b.code, b.details])).toEqual([['LB_ERR_REGION_UNREADABLE', { region: HUNG }]]);
    const refusedStarted = Date.now();
    const refused = await api!.call('POST', '/v1/operations', { body: { kind: 'evacuate', region: HUNG } });
    const refusedMs = Date.now() - refusedStarted;
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('LB_ERR_REGION_UNREADABLE');
    figures('Auto Scaling in us-east-1 hangs, never read before', { refusedMs });
  }, 60_000);
});
