import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DemoFleetSpec } from '../../src/sandbox/fleet/seed-fleet';
import type { TestApi } from '../support/api-client';
import { startApi } from '../support/api-client';
import type { TestLifeboat } from '../support/harness';
import { testLifeboat } from '../support/harness';
import type { AwsState, MotoFleet } from '../support/moto-fleet';
import { startMotoFleet } from '../support/moto-fleet';

const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];
const SPEC: DemoFleetSpec = {
  regions: REGIONS,
  services: [
    {
      name: 'api',
      dns: 'api.example.com',
      capacityPerInstance: 100,
      regions: {
        'us-east-1': { desired: 6, min: 2, max: 20, weight: 100 },
        'us-west-2': { desired: 6, min: 2, max: 20, weight: 100 },
        'eu-west-1': { desired: 6, min: 2, max: 20, weight: 100 },
      },
    },
    {
      name: 'checkout',
      dns: 'checkout.example.com',
      regions: {
        'us-east-1': { desired: 4, min: 2, max: 12, weight: 100, groups: 2 },
        'us-west-2': { desired: 4, min: 2, max: 12, weight: 50, groups: 2 },
        'eu-west-1': { desired: 4, min: 2, max: 12, weight: 50, groups: 2 },
      },
    },
    {
      // Served from us-east-1 alone: evacuating it leaves nothing serving.
      name: 'solo',
      dns: 'solo.example.com',
      regions: {
        'us-east-1': { desired: 2, weight: 100 },
        'us-west-2': { desired: 2, weight: 0 },
      },
    },
  ],
};

let fleet: MotoFleet;
let lb: TestLifeboat;
let api: TestApi;
let initial: AwsState;

beforeAll(async () => {
  fleet = await startMotoFleet(SPEC);
  lb = testLifeboat(fleet.cloud());
  lb.startWorker();
  api = await startApi(lb);
  initial = await fleet.state();
}, 60_000);

// Every test starts from the seeded fleet (moto has no scaling policies to bring survivors back down).
beforeEach(async () => {
  await fleet.reset();
  await lb.forgetEvacuations();
});

afterAll(async () => {
  await api?.close();
  await lb?.close();
  await fleet?.stop();
});

const evacuateApiAndCheckout = { kind: 'evacuate', region: 'us-east-1', services: ['api', 'checkout'] };

async function finished(id: string) {
  const view = await lb.waitFor(id, ['succeeded', 'failed', 'refused', 'cancelled'], 30_000);
  const res = await api.call('GET', `/v1/operations/${id}`);
  expect(res.status).toBe(200);
  return { view, body: res.body.operation };
}

describe('evacuating and restoring through HTTP against moto', () => {
  it('When evacuating us-east-1, then its weights are 0 and the survivors run what the plan says', async () => {
    const res = await api.call('POST', '/v1/operations', { body: evacuateApiAndCheckout });
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(`/v1/operations/${res.body.operation.id}`);
    expect(res.body.operation.state).toBe('queued');
    const { body } = await finished(res.body.operation.id);
    expect(body.state).toBe('succeeded');
    expect(body.actor).toBe('api:admin');

    const after = await fleet.state();
    expect(after.weights['api.example.com']!['us-east-1']).toBe(0);
    expect(after.weights['checkout.example.com']!['us-east-1']).toBe(0);
    expect(after.weights['solo.example.com']).toEqual(initial.weights['solo.example.com']);
    for (const change of body.plan.groupChanges) {
      const [min, desired, max] = after.groups[`${change.region}/${change.group}`]!;
      expect({ minSize: min, desiredCapacity: desired, maxSize: max }).toEqual(change.to);
    }
    // 6 at 1/3 → 18 per unit of share; each survivor absorbs 1/6 → 3, × 1.1 = 3.3 → 9.3 → 10.
    expect(after.groups['us-west-2/api-us-west-2']).toEqual([10, 10, 20]);

    const restore = await api.call('POST', '/v1/operations', { body: { kind: 'restore', region: 'us-east-1' } });
    expect(restore.status).toBe(202);
    const restored = await finished(restore.body.operation.id);
    expect(restored.body.state).toBe('succeeded');
    const back = await fleet.state();
    expect(back.weights).toEqual(initial.weights);
    // Survivors get their MinSize back; DesiredCapacity stays for their own scaling to bring down.
    expect(back.groups['us-west-2/api-us-west-2']).toEqual([2, 10, 20]);
    for (const [group, [min, , max]] of Object.entries(initial.groups)) {
      expect([back.groups[group]![0], back.groups[group]![2]]).toEqual([min, max]);
    }
  });

  it('When two evacuations of one region race, then exactly one runs and the other is 409', async () => {
    const [a, b] = await Promise.all([
      api.call('POST', '/v1/operations', { body: evacuateApiAndCheckout }),
      api.call('POST', '/v1/operations', { body: { ...evacuateApiAndCheckout, reason: 'the other one' } }),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([202, 409]);
    const loser = a.status === 409 ? a : b;
    const winner = a.status === 202 ? a : b;
    expect(loser.body.error.code).toBe('LB_ERR_REGION_LOCKED');
    expect(loser.body.error.details.operationId).toBe(winner.body.operation.id);
    expect((await finished(winner.body.operation.id)).body.state).toBe('succeeded');
    const restore = await api.call('POST', '/v1/operations', { body: { kind: 'restore', region: 'us-east-1' } });
    expect((await finished(restore.body.operation.id)).body.state).toBe('succeeded');
    expect((await fleet.state()).weights).toEqual(initial.weights);
  });

  it('When an evacuation would leave no region serving, then it is refused with 409 and nothing changes', async () => {
    const res = await api.call('POST', '/v1/operations', { body: { kind: 'evacuate', region: 'us-east-1', services: ['solo'] } });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('LB_ERR_NO_SERVING_REGION');
    expect(res.body.error.message).toContain('leaves no region serving');
    expect(await fleet.state()).toEqual(initial);
  });

  it('When the same Idempotency-Key and body come twice, then one operation is returned both times; another body is 409', async () => {
    const headers = { 'idempotency-key': 'evac-2026-11-24-a' };
    const first = await api.call('POST', '/v1/operations', { body: evacuateApiAndCheckout, headers });
    const second = await api.call('POST', '/v1/operations', { body: { services: ['api', 'checkout'], region: 'us-east-1', kind: 'evacuate' }, headers });
    expect(first.status).toBe(202);
    expect(second.status).toBe(200);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body.operation.id).toBe(first.body.operation.id);
    const other = await api.call('POST', '/v1/operations', { body: { ...evacuateApiAndCheckout, stages: 3 }, headers });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('LB_ERR_IDEMPOTENCY_MISMATCH');
    await finished(first.body.operation.id);
    const list = await api.call('GET', '/v1/operations?kind=evacuate');
    expect(list.body.operations.filter((o: { id: string }) => o.id === first.body.operation.id)).toHaveLength(1);
    const restore = await api.call('POST', '/v1/operations', { body: { kind: 'restore', region: 'us-east-1' } });
    expect((await finished(restore.body.operation.id)).body.state).toBe('succeeded');
  });

  it('When an evacuation is cancelled with rollback mid-stage, then weights and sizes go back to the snapshot', async () => {
    const res = await api.call('POST', '/v1/operations', { body: { ...evacuateApiAndCheckout, pace: 'stages', dwellSeconds: 30 } });
    expect(res.status).toBe(202);
    const id = res.body.operation.id;
    const until = Date.now() + 20_000;
    for (;;) {
      const view = await lb.waitFor(id, ['running']);
      if (view.steps.some((s) => s.id === 'stage-1/dwell' && s.state === 'running')) break;
      if (Date.now() > until) throw new Error('never reached stage 1 dwell');
      await new Promise((r) => setTimeout(r, 25));
    }
    const cancel = await api.call('POST', `/v1/operations/${id}/cancel`, { body: { rollback: true } });
    expect(cancel.status).toBe(202);
    expect(cancel.body.operation.state).toBe('cancelling');
    const { body } = await finished(id);
    expect(body.state).toBe('cancelled');
    expect(body.result.summary).toContain('rolled back');
    expect(await fleet.state()).toEqual(initial);
    const again = await api.call('POST', `/v1/operations/${id}/cancel`, { body: {} });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('LB_ERR_OPERATION_FINISHED');
  });

  it('When listing operations by state, then only those come back, newest first', async () => {
    // Operations of its own, so the list holds something whatever ran before: four finished
    // scales of api in eu-west-1 (each to the size it has, then back), more than the limit.
    const ids: string[] = [];
    for (const desiredCapacity of [7, 6, 7, 6]) {
      const submitted = await api.call('POST', '/v1/operations', { body: { kind: 'scale', region: 'eu-west-1', service: 'api', desiredCapacity } });
      expect(submitted.status, submitted.text).toBe(202);
      ids.push(submitted.body.operation.id);
      expect((await finished(submitted.body.operation.id)).body.state).toBe('succeeded');
    }
    const res = await api.call('GET', '/v1/operations?state=succeeded,cancelled&limit=3');
    expect(res.status).toBe(200);
    expect(res.body.operations).toHaveLength(3);
    expect(res.body.operations.map((o: { id: string }) => o.id)).toEqual(ids.slice(1).reverse());
    for (const o of res.body.operations) expect(['succeeded', 'cancelled']).toContain(o.state);
    const created = res.body.operations.map((o: { createdAt: string }) => o.createdAt);
    expect([...created].sort().reverse()).toEqual(created);
  });

  it('When a worker is connected, then /readyz is ready and /v1/status counts it', async () => {
    const res = await api.call('GET', '/readyz');
    expect(res.status).toBe(200);
    const status = await api.call('GET', '/v1/status');
    expect(status.body.status.workers.connected).toBeGreaterThanOrEqual(1);
  });
});
