import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AwsCloud } from '../../src/cloud/aws/aws-cloud';
import { switchDesign } from '../../src/core/switches';
import type { TestApi } from '../support/api-client';
import { startApi } from '../support/api-client';
import { FAULT_FLEET, figures, operationMs } from '../support/fault-scenarios';
import type { TestLifeboat } from '../support/harness';
import { TEST_TOKENS, testLifeboat } from '../support/harness';
import { DUMMY_CREDENTIALS } from '../support/moto-fleet';
import type { ProxiedFleet } from '../support/proxied-fleet';
import { startProxiedFleet } from '../support/proxied-fleet';

/**
 * Route 53's change API (served from us-east-1) does not answer while its reads and
 * CloudWatch do. With the region switches prepared ahead of time, evacuating us-east-1 with
 * fallback "switch" takes it out through CloudWatch alone: its switch alarm (in another
 * region) goes to ALARM, and Route 53's data plane, through the CLOUDWATCH_METRIC health check
 * on every us-east-1 record, stops answering them. Restore turns the switch back on.
 * moto does not evaluate health checks: the test proves what lifeboat sets up and turns.
 */

const EVACUATED = 'us-east-1';
const NAMES = FAULT_FLEET.services.map((s) => s.dns);
/** How long an evacuation step gives Route 53's change API before it uses the switch. */
const SWITCH_AFTER_MS = 2000;

let pf: ProxiedFleet;
let cloud: AwsCloud;
let lb: TestLifeboat | undefined;
let api: TestApi | undefined;

beforeAll(async () => {
  pf = await startProxiedFleet(FAULT_FLEET);
}, 180_000);

beforeEach(async () => {
  await pf.reset();
  cloud = pf.cloud({ maxAttempts: 2, requestTimeoutMs: 5000 });
  lb = testLifeboat(cloud, { LIFEBOAT_SWITCH_AFTER_MS: String(SWITCH_AFTER_MS) });
  api = await startApi(lb);
  lb.startWorker();
}, 120_000);

afterEach(async () => {
  await api?.close();
  await lb?.close();
  api = undefined;
  lb = undefined;
});

afterAll(async () => {
  await pf?.stop();
});

/** The switch alarm of a region as CloudWatch holds it, read from moto directly (no proxy, no lifeboat). */
async function alarmInMoto(region: string): Promise<string | undefined> {
  const design = switchDesign(region, FAULT_FLEET.regions);
  const client = new CloudWatchClient({ region: design.alarm.region, endpoint: pf.fleet.endpoint, credentials: DUMMY_CREDENTIALS });
  try {
    return (await client.send(new DescribeAlarmsCommand({ AlarmNames: [design.alarm.name] }))).MetricAlarms?.[0]?.StateValue;
  } finally {
    client.destroy();
  }
}

/** Every weighted record of a region as Route 53 holds it, read from moto directly. */
async function recordsInMoto(region: string) {
  const reader = pf.fleet.cloud();
  try {
    return (await reader.readFleet()).zones.flatMap((z) => z.records).filter((r) => r.setIdentifier === region);
  } finally {
    reader.destroy();
  }
}

async function prepareSwitches(): Promise<void> {
  const accepted = await api!.call('POST', '/v1/switches/prepare', { body: {} });
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
  const done = await lb!.waitFor(accepted.body.operation.id, undefined, 60_000);
  expect(done.state, JSON.stringify(done.error)).toBe('succeeded');
}

// A story in order (the tests run shuffled elsewhere): nothing prepared, refused while so, then
// prepared and used; each step reads what the one before left.
describe('region switches', { shuffle: false }, () => {
  it('are planned first, prepared as an audited operation, and reported by GET /v1/switches; preparing again has nothing to do', async () => {
    const before = await api!.call('GET', '/v1/switches', { headers: { authorization: `Bearer ${TEST_TOKENS.viewer}` } });
    expect(before.status).toBe(200);
    expect(before.body.switches.map((s: { region: string; prepared: boolean; recordsMissingHealthCheck: unknown[] }) => [s.region, s.prepared, s.recordsMissingHealthCheck.length])).toEqual(
      FAULT_FLEET.regions.map((r) => [r, false, NAMES.length]),
    );

    const planned = await api!.call('POST', '/v1/switches/prepare', { body: { dryRun: true } });
    expect(planned.status).toBe(200);
    const kinds = planned.body.plan.switches.changes.map((c: { kind: string }) => c.kind);
    const regions = FAULT_FLEET.regions.length;
    expect(kinds.filter((k: string) => k === 'put-alarm')).toHaveLength(regions);
    expect(kinds.filter((k: string) => k === 'create-health-check')).toHaveLength(regions);
    expect(kinds.filter((k: string) => k === 'attach-health-check')).toHaveLength(regions * NAMES.length);
    // The dry run changed nothing.
    expect(await alarmInMoto(EVACUATED)).toBeUndefined();

    await prepareSwitches();
    const after = await api!.call('GET', '/v1/switches');
    expect(after.body.pendingChanges).toBe(0);
    for (const s of after.body.switches) {
      expect(s, JSON.stringify(s)).toMatchObject({ prepared: true, position: 'on', alarmState: 'OK', recordsMissingHealthCheck: [] });
      expect(s.alarm.region).not.toBe(s.region);
      for (const r of await recordsInMoto(s.region)) expect(r.healthCheckId).toBe(s.healthCheckId);
    }
    const audit = await api!.call('GET', '/v1/audit?limit=200');
    const actions = new Set(audit.body.records.map((r: { action: string }) => r.action));
    for (const a of ['aws.putSwitchAlarm', 'aws.turnSwitch', 'aws.ensureSwitchHealthCheck', 'aws.attachHealthChecks']) expect(actions).toContain(a);

    const again = await api!.call('POST', '/v1/switches/prepare', { body: {} });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('LB_ERR_NOTHING_TO_DO');
  }, 120_000);

  it('an evacuation with fallback "switch" is refused while the region\'s switch is not prepared', async () => {
    const refused = await api!.call('POST', '/v1/operations', { body: { kind: 'evacuate', region: EVACUATED, fallback: 'switch' } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('LB_ERR_SWITCH_NOT_PREPARED');
    expect(refused.body.error.message).toContain(EVACUATED);
  }, 60_000);

  it('with Route 53\'s change API down, evacuates us-east-1 through its switch (alarm ALARM, weights untouched), and restore turns it back on', async () => {
    await prepareSwitches();
    const weightsBefore = (await pf.fleet.state()).weights;
    pf.proxy.patchProfile({ unreachable: [{ region: 'us-east-1', service: 'route53', actions: ['ChangeResourceRecordSets'], mode: 'hang' }] });

    const accepted = await api!.call('POST', '/v1/operations', { body: { kind: 'evacuate', region: EVACUATED, fallback: 'switch', dwellSeconds: 0 } });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const done = await lb!.waitFor(accepted.body.operation.id, undefined, 90_000);
    expect(done.state, JSON.stringify(done.error ?? done.steps.map((s) => [s.id, s.state, s.outcome]))).toBe('succeeded');

    const design = switchDesign(EVACUATED, FAULT_FLEET.regions);
    expect(done.plan?.fallbackSwitch).toEqual(design);
    expect(done.result?.switchUsed).toMatchObject({ region: EVACUATED, alarm: design.alarm, alarmState: 'ALARM' });
    expect(done.result?.summary).toContain('through its switch');
    expect(await alarmInMoto(EVACUATED)).toBe('ALARM');
    // The change API never answered: the weights are as they were, every us-east-1 record carries the switch's health check.
    expect((await pf.fleet.state()).weights).toEqual(weightsBefore);
    const switches = await api!.call('GET', '/v1/switches');
    const usEast = switches.body.switches.find((s: { region: string }) => s.region === EVACUATED);
    expect(usEast).toMatchObject({ position: 'off', alarmState: 'ALARM', prepared: true });
    for (const r of await recordsInMoto(EVACUATED)) expect(r.healthCheckId).toBe(usEast.healthCheckId);
    // All or nothing: the first stage's weights fell back to the switch, every later stage step was skipped.
    const stageSteps = done.steps.filter((s) => s.stage !== undefined);
    expect(stageSteps[0]).toMatchObject({ kind: 'apply-weights', state: 'succeeded' });
    expect(stageSteps.slice(1).every((s) => s.state === 'skipped')).toBe(true);
    expect(pf.counted({ service: 'route53', action: 'ChangeResourceRecordSets', outcome: 'dropped' })).toBeGreaterThan(0);

    // Route 53 answers again; the restore sets the first stage's weights, then turns the switch on.
    pf.proxy.patchProfile({ unreachable: [] });
    const restore = await api!.call('POST', '/v1/operations', { body: { kind: 'restore', region: EVACUATED, dwellSeconds: 0 } });
    expect(restore.status, JSON.stringify(restore.body)).toBe(202);
    const restored = await lb!.waitFor(restore.body.operation.id, undefined, 90_000);
    expect(restored.state, JSON.stringify(restored.error ?? restored.steps.map((s) => [s.id, s.state, s.outcome]))).toBe('succeeded');
    // Back on once the first stage's weights are in sync: the region returns at that stage's share, then the next.
    const order = restored.steps.map((s) => s.id);
    expect(restored.steps.find((s) => s.kind === 'switch-on')).toMatchObject({ state: 'succeeded' });
    expect(order.indexOf('switch-on')).toBe(order.indexOf('stage-1/await-dns') + 1);
    expect(await alarmInMoto(EVACUATED)).toBe('OK');
    expect((await pf.fleet.state()).weights).toEqual(weightsBefore);

    figures('Route 53 change API down, evacuation through the switch', {
      switchAfterMs: SWITCH_AFTER_MS,
      evacuationMs: operationMs(done),
      restoreMs: operationMs(restored),
    });
  }, 180_000);

  it('a restore cancelled with rollback after its switch went back on turns the switch off again before the weights go back', async () => {
    await prepareSwitches();
    const weightsBefore = (await pf.fleet.state()).weights;
    pf.proxy.patchProfile({ unreachable: [{ region: 'us-east-1', service: 'route53', actions: ['ChangeResourceRecordSets'], mode: 'hang' }] });
    const accepted = await api!.call('POST', '/v1/operations', { body: { kind: 'evacuate', region: EVACUATED, fallback: 'switch', dwellSeconds: 0 } });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const done = await lb!.waitFor(accepted.body.operation.id, undefined, 90_000);
    expect(done.result?.switchUsed).toMatchObject({ region: EVACUATED, alarmState: 'ALARM' });
    pf.proxy.patchProfile({ unreachable: [] });

    // The restore's first stage dwells long enough to be cancelled in, after the switch is back on.
    const restore = await api!.call('POST', '/v1/operations', { body: { kind: 'restore', region: EVACUATED, dwellSeconds: 60 } });
    expect(restore.status, JSON.stringify(restore.body)).toBe(202);
    const id = restore.body.operation.id;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const view = await lb!.waitFor(id, ['running', 'succeeded', 'failed', 'cancelled']);
      expect(view.state).toBe('running');
      if (view.steps.some((s) => s.kind === 'switch-on' && s.state === 'succeeded')) break;
      if (Date.now() > deadline) throw new Error(`the restore never turned the switch on: ${JSON.stringify(view.steps.map((s) => [s.id, s.state]))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await alarmInMoto(EVACUATED)).toBe('OK');

    const cancel = await api!.call('POST', `/v1/operations/${id}/cancel`, { body: { rollback: true } });
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(202);
    const cancelled = await lb!.waitFor(id, ['cancelled', 'failed', 'succeeded'], 90_000);
    expect(cancelled.state, JSON.stringify(cancelled.error ?? cancelled.steps.map((s) => [s.id, s.state, s.outcome]))).toBe('cancelled');
    // Out through the switch again, as the evacuation left it. The weights go back to those the
    // restore planned from, where a switched-off region serves nothing: the survivors' as before,
    // us-east-1's at 0 (its records held 100 behind the switch). Either way it serves nothing.
    expect(await alarmInMoto(EVACUATED)).toBe('ALARM');
    const expected = Object.fromEntries(
      Object.entries(weightsBefore).map(([name, byRegion]) => [name, { ...byRegion, [EVACUATED]: 0 }]),
    );
    expect(Object.values(weightsBefore).every((byRegion) => byRegion[EVACUATED]! > 0)).toBe(true);
    expect((await pf.fleet.state()).weights).toEqual(expected);
    const order = cancelled.steps.map((s) => s.id);
    expect(cancelled.steps.find((s) => s.id === 'rollback/switch')).toMatchObject({ state: 'succeeded' });
    expect(order.indexOf('rollback/switch')).toBeLessThan(order.indexOf('rollback/weights'));
    const switches = await api!.call('GET', '/v1/switches');
    expect(switches.body.switches.find((s: { region: string }) => s.region === EVACUATED)).toMatchObject({ position: 'off', alarmState: 'ALARM' });
  }, 240_000);
});
