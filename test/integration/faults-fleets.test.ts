import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAULT_FLEET, figures, stepOf, submit } from '../support/fault-scenarios';
import type { TestLifeboat } from '../support/harness';
import { testLifeboat } from '../support/harness';
import type { AwsState } from '../support/moto-fleet';
import type { ProxiedFleet } from '../support/proxied-fleet';
import { startProxiedFleet } from '../support/proxied-fleet';

/**
 * What production Auto Scaling groups do to an evacuation, injected by the fault proxy in
 * front of moto: activities in progress that refuse updates, scheduled actions, impaired
 * instances, instance types a zone does not offer.
 */

let pf: ProxiedFleet;
let initial: AwsState;
let lb: TestLifeboat | undefined;

beforeAll(async () => {
  pf = await startProxiedFleet(FAULT_FLEET);
  initial = await pf.fleet.state();
}, 60_000);

beforeEach(async () => {
  await pf.reset();
});

afterEach(async () => {
  await lb?.close();
  lb = undefined;
});

afterAll(async () => {
  await pf?.stop();
});

describe('Auto Scaling busy with a group', () => {
  it('ScalingActivityInProgress on the prescale is retried with backoff and the evacuation succeeds', async () => {
    lb = testLifeboat(pf.cloud({ maxAttempts: 8 }));
    const id = await submit(lb, { kind: 'evacuate', region: 'us-east-1', services: ['api'], stages: 1 });
    pf.proxy.resetCounters();
    pf.proxy.patchProfile({ rejections: [{ count: 3, code: 'ScalingActivityInProgress', action: 'UpdateAutoScalingGroup', group: 'api-us-west-2' }] });
    lb.startWorker();
    const done = await lb.waitFor(id, undefined, 60_000);

    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');
    expect(pf.counted({ action: 'UpdateAutoScalingGroup', outcome: 'rejected' })).toBe(3);
    const after = await pf.fleet.state();
    for (const c of done.plan!.groupChanges) expect(after.groups[`${c.region}/${c.group}`]).toEqual([c.to.minSize, c.to.desiredCapacity, c.to.maxSize]);
    expect(after.weights['api.example.com']!['us-east-1']).toBe(0);
    expect(initial.weights['api.example.com']!['us-east-1']).toBeGreaterThan(0);
    // The retries are the SDK's, within the prescale step: one attempt of the step.
    expect(stepOf(done, 'prescale').attempts).toBe(1);
    expect(done.result!.awsCalls!.retries).toBeGreaterThanOrEqual(3);
    figures('ScalingActivityInProgress x3 on prescale', { rejected: 3, retries: done.result!.awsCalls!.retries, state: done.state });
  });
});
