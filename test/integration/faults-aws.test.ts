import { GetChangeCommand, Route53Client } from '@aws-sdk/client-route-53';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OperationView } from '../../src/operations/operation-views';
import { at, FAULT_FLEET, figures, operationMs, stepMs, stepOf, submit, untilStep } from '../support/fault-scenarios';
import type { TestLifeboat } from '../support/harness';
import { testLifeboat } from '../support/harness';
import type { AwsState } from '../support/moto-fleet';
import { DUMMY_CREDENTIALS } from '../support/moto-fleet';
import type { ProxiedFleet } from '../support/proxied-fleet';
import { startProxiedFleet } from '../support/proxied-fleet';

/**
 * lifeboat against AWS misbehaving, through the fault proxy in front of moto: throttling in
 * the middle of a prescale, Route 53 slow to converge, and a region's endpoint that stops
 * answering mid-operation. Each test prints one line of figures for the note.
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

/** Weights per name as a stage of the plan sets them. */
function stageWeights(view: OperationView, index: number): AwsState['weights'] {
  const out: AwsState['weights'] = {};
  for (const t of view.plan!.stages.find((s) => s.index === index)!.traffic) (out[t.name] ??= {})[t.region] = t.weight;
  return out;
}

describe('lifeboat under AWS faults', () => {
  it('a throttling storm during prescale: retried with backoff, nothing applied twice, the report counts every throttle', async () => {
    lb = testLifeboat(pf.cloud({ maxAttempts: 8 }));
    const id = await submit(lb, { kind: 'evacuate', pace: 'stages', region: 'us-east-1', stages: 2 });
    // Only the operation's own calls from here on (submitting read the fleet already).
    pf.proxy.resetCounters();
    // Auto Scaling quotas well below lifeboat's own limiter (burst 20, 5/s): AWS throttles, the SDK backs off.
    pf.proxy.setProfile({ name: 'storm', throttling: { enabled: true, quotas: { autoscaling: { burst: 3, refillPerSecond: 2 } } } });
    lb.startWorker();
    const done = await lb.waitFor(id, undefined, 60_000);

    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');
    const plan = done.plan!;
    const throttled = pf.counted({ outcome: 'throttled' });
    const throttledUpdates = pf.counted({ action: 'UpdateAutoScalingGroup', outcome: 'throttled' });
    const throttledDescribes = pf.counted({ action: 'DescribeAutoScalingGroups', outcome: 'throttled' });
    const appliedUpdates = pf.counted({ action: 'UpdateAutoScalingGroup', outcome: 'ok' });
    expect(throttledUpdates).toBeGreaterThan(0);
    // Only Auto Scaling's quota was lowered: every throttle is an Auto Scaling call (updates, describes, scheduled actions, process suspensions, the pin records' tags).
    expect(throttled).toBe(pf.counted({ service: 'autoscaling', outcome: 'throttled' }));
    // Nothing applied twice: one successful update per group change (an evacuation has none after the stages).
    expect(plan.finalGroupChanges).toHaveLength(0);
    expect(appliedUpdates).toBe(plan.groupChanges.length);
    const after = await pf.fleet.state();
    for (const c of plan.groupChanges) expect(after.groups[`${c.region}/${c.group}`]).toEqual([c.to.minSize, c.to.desiredCapacity, c.to.maxSize]);
    expect(after.weights['api.example.com']!['us-east-1']).toBe(0);

    // The report counts what AWS did: every throttle the proxy answered, each one retried, none given up.
    const calls = done.result!.awsCalls!;
    expect(calls.throttles).toBe(throttled);
    expect(calls.failures).toBe(0);
    expect(calls.retries).toBe(throttled);
    const updates = calls.byAction.filter((c) => c.action === 'UpdateAutoScalingGroup');
    expect(updates.reduce((a, c) => a + c.calls, 0)).toBe(plan.groupChanges.length);
    expect(updates.reduce((a, c) => a + c.throttles, 0)).toBe(throttledUpdates);
    expect(stepOf(done, 'prescale').attempts).toBe(1);

    figures('throttling storm in prescale', {
      groupChanges: plan.groupChanges.length,
      throttledUpdates,
      throttledDescribes,
      throttledTags: pf.counted({ action: 'CreateOrUpdateTags', outcome: 'throttled' }),
      throttledTotal: throttled,
      retries: calls.retries,
      attempts: calls.attempts,
      calls: calls.calls,
      prescaleMs: stepMs(done, 'prescale'),
      operationMs: operationMs(done),
    });
  }, 90_000);

  it('DNS slow to converge: no stage starts before the previous stage is INSYNC', async () => {
    const propagationMs = 1500;
    lb = testLifeboat(pf.cloud());
    pf.proxy.setProfile({ name: 'slow-dns', dns: { propagationSeconds: propagationMs / 1000 } });
    lb.startWorker();
    const id = await submit(lb, { kind: 'evacuate', pace: 'stages', region: 'us-east-1', services: ['api'], stages: 3, dwellSeconds: 0 });
    const done = await lb.waitFor(id, undefined, 60_000);
    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');
    const polls = pf.counted({ action: 'GetChange' });

    // When each stage's change went INSYNC, as the proxy has it: submitted + propagation.
    const route53 = new Route53Client({ region: 'us-east-1', endpoint: pf.proxy.endpoint, credentials: DUMMY_CREDENTIALS });
    const insyncAt: number[] = [];
    const stages = done.plan!.stages.map((s) => s.index);
    expect(stages).toEqual([1, 2, 3]);
    for (const k of stages) {
      const ids = stepOf(done, `stage-${k}/apply-weights`).detail!.changeIds as string[];
      expect(ids.length).toBeGreaterThan(0);
      const changes = await Promise.all(ids.map((changeId) => route53.send(new GetChangeCommand({ Id: changeId }))));
      insyncAt[k] = Math.max(...changes.map((c) => c.ChangeInfo!.SubmittedAt!.getTime() + propagationMs));
    }
    route53.destroy();
    const gaps: number[] = [];
    for (const k of stages) {
      expect(at(stepOf(done, `stage-${k}/await-dns`).finishedAt)).toBeGreaterThanOrEqual(insyncAt[k]!);
      if (k === 1) continue;
      const nextStart = at(stepOf(done, `stage-${k}/apply-weights`).startedAt);
      expect(nextStart, `stage ${k} started before stage ${k - 1} was INSYNC`).toBeGreaterThanOrEqual(insyncAt[k - 1]!);
      gaps.push(nextStart - insyncAt[k - 1]!);
    }
    // How long the traffic took to converge is a figure, not an assertion: the order above (each
    // stage waits for its change to be INSYNC, the next starts only after) is the behaviour.
    const converge = at(stepOf(done, 'stage-3/await-dns').finishedAt) - at(stepOf(done, 'stage-1/apply-weights').startedAt);

    figures('DNS slow to converge (1.5 s)', {
      stages: stages.length,
      awaitDnsMs: stages.map((k) => stepMs(done, `stage-${k}/await-dns`)).join('/'),
      startAfterInsyncMs: gaps.join('/'),
      getChangePolls: polls,
      trafficConvergedMs: converge,
      operationMs: operationMs(done),
    });
  }, 60_000);

  it("a survivor's Auto Scaling endpoint stops answering mid-operation: a clear error, and the weights are exactly stage 1's", async () => {
    // A request timeout that ends a hung call, and that a call moto answers on a busy machine does
    // not reach (at 400 ms, a slow Route 53 change was timed out and sent again, counted twice).
    lb = testLifeboat(pf.cloud({ maxAttempts: 2, requestTimeoutMs: 2000, connectionTimeoutMs: 2000 }), { LIFEBOAT_JOB_ATTEMPTS: '2' });
    lb.startWorker();
    const id = await submit(lb, { kind: 'evacuate', pace: 'stages', region: 'us-east-1', stages: 2, dwellSeconds: 2 });
    // Stage 1's weights are in Route 53; the region goes dark while the stage dwells.
    await untilStep(lb, id, 'stage-1/dwell');
    pf.proxy.patchProfile({ unreachable: [{ region: 'us-west-2', service: 'autoscaling', mode: 'hang' }] });
    const darkAt = Date.now();
    const done = await lb.waitFor(id, undefined, 60_000);

    expect(done.state).toBe('failed');
    expect(done.error!.code).toBe('LB_ERR_AWS_UNAVAILABLE');
    expect(done.error!.message).toContain('us-west-2');
    expect(done.error!.details).toMatchObject({ service: 'autoscaling', region: 'us-west-2' });
    const dropped = pf.counted({ service: 'autoscaling', region: 'us-west-2', outcome: 'dropped' });
    expect(dropped).toBeGreaterThan(0);
    // Never half a stage: every weight is stage 1's, and stage 2 never started.
    const after = await pf.fleet.state();
    const stage1 = stageWeights(done, 1);
    for (const name of done.plan!.names) expect(after.weights[name]).toEqual(stage1[name]);
    expect(after.weights).not.toEqual(initial.weights);
    expect(stepOf(done, 'stage-2/apply-weights').attempts).toBe(0);
    expect(pf.counted({ action: 'ChangeResourceRecordSets', outcome: 'ok' })).toBe((stepOf(done, 'stage-1/apply-weights').detail!.changeIds as string[]).length);
    // The report says so.
    expect(done.result!.stagesApplied).toBe(1);
    expect(done.result!.summary).toContain('weights are those of stage 1');

    figures('Auto Scaling in us-west-2 unreachable after stage 1', {
      failedStep: done.steps.find((s) => s.state === 'failed')?.id ?? '-',
      stepAttempts: done.steps.find((s) => s.state === 'failed')?.attempts ?? 0,
      droppedCalls: dropped,
      failedAfterMs: at(done.finishedAt) - darkAt,
      stagesApplied: done.result!.stagesApplied,
      error: done.error!.code,
    });
  }, 60_000);
});
