import { spawn } from 'node:child_process';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ListHostedZonesCommand, Route53Client } from '@aws-sdk/client-route-53';
import type { RetryErrorInfo, RetryErrorType, RetryStrategyV2, StandardRetryToken } from '@smithy/types';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsCloud } from '../../src/cloud/aws/aws-cloud';
import { ROUTE53_REGION } from '../../src/cloud/aws/aws-clients';
import { isThrottlingError } from '../../src/cloud/aws/aws-errors';
import type { AutoScalingGroupReading, FleetSnapshot, WeightedRecord } from '../../src/core/fleet';
import { assembleSnapshot } from '../../src/core/snapshot';
import type { MotoServer } from '../../src/sandbox/moto/moto-server';
import { startMotoServer } from '../../src/sandbox/moto/moto-server';
import { DEMO_FLEET, seedFleet } from '../../src/sandbox/fleet/seed-fleet';
import type { AwsProxy } from '../../src/sandbox/proxy/aws-proxy';
import { startAwsProxy } from '../../src/sandbox/proxy/aws-proxy';
import type { CallCounter } from '../../src/sandbox/proxy/call-counters';
import { totalCalls } from '../../src/sandbox/proxy/call-counters';
import { INSTANT } from '../../src/sandbox/proxy/named-profiles';

/**
 * The AWS realism and fault proxy in front of a real moto server, driven by the real AWS
 * adapter (and raw SDK clients where the SDK's own view matters). Each test switches the
 * profile it needs at run time; delays are short and every wait polls with a deadline.
 */

const CREDENTIALS = { accessKeyId: 'AKIDPROXYTESTING', secretAccessKey: 'proxy-testing-secret' };
const REGIONS = DEMO_FLEET.regions;

let moto: MotoServer;
let proxy: AwsProxy;
/**
 * The proxy's clock: the wall clock, unless a test holds it to step through a delay by hand
 * (launch, DNS propagation), where the answers before and after the delay are the behaviour.
 */
const clock = {
  held: undefined as number | undefined,
  now: () => clock.held ?? Date.now(),
  hold: () => (clock.held = Date.now()),
  advance: (ms: number) => (clock.held = clock.now() + ms),
  release: () => (clock.held = undefined),
};
let initial: FleetSnapshot;
const clouds: AwsCloud[] = [];

function cloud(options: { maxAttempts?: number; requestTimeoutMs?: number } = {}): AwsCloud {
  const c = new AwsCloud({ regions: REGIONS, endpoint: proxy.endpoint, credentials: CREDENTIALS, maxAttempts: options.maxAttempts ?? 8, ...options });
  clouds.push(c);
  return c;
}

beforeAll(async () => {
  moto = await startMotoServer();
  await seedFleet(DEMO_FLEET, { endpoint: moto.endpoint, credentials: CREDENTIALS });
  proxy = await startAwsProxy({ target: moto.endpoint, profile: INSTANT, clock });
  initial = assembleSnapshot(await cloud().readFleet());
});

afterAll(async () => {
  for (const c of clouds) c.destroy();
  await proxy?.stop();
  await moto?.stop();
});

beforeEach(() => {
  clock.release();
  proxy.setProfile(INSTANT);
  proxy.resetCounters();
});

afterEach(() => {
  while (clouds.length > 0) clouds.pop()!.destroy();
});

/** Polls `read` until `done` holds, or fails with the last value after the deadline. */
async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

const states = (g: AutoScalingGroupReading | undefined) => (g?.instances ?? []).map((i) => i.lifecycleState);
const count = (list: string[], state: string) => list.filter((s) => s === state).length;
const counted = (filter: Partial<Omit<CallCounter, 'count'>>) => totalCalls(proxy.counters(), filter);

function recordOf(name: string, region: string): WeightedRecord {
  const record = initial.records.find((r) => r.name === name && r.region === region);
  if (!record) throw new Error(`no weighted record ${name} for ${region}`);
  return record;
}

/** A retry strategy that never retries and remembers how the SDK classified each error. */
function recordingRetryStrategy(): RetryStrategyV2 & { seen: RetryErrorType[] } {
  const token: StandardRetryToken = { getRetryCount: () => 0, getRetryDelay: () => 0, getRetryTokenCount: () => 0 } as unknown as StandardRetryToken;
  const seen: RetryErrorType[] = [];
  return {
    seen,
    acquireInitialRetryToken: () => Promise.resolve(token),
    refreshRetryTokenForRetry: (_token: StandardRetryToken, info: RetryErrorInfo) => {
      seen.push(info.errorType);
      return Promise.reject(info.error);
    },
    recordSuccess: () => undefined,
  };
}

describe('AWS proxy: throttling', () => {
  it('throttles a burst of DescribeAutoScalingGroups beyond the quota; the SDK retries and every call succeeds, throttles counted by the proxy and by AwsCloud', async () => {
    // Below AwsCloud's own limiter (burst 20, 5/s per region), which then paces the retries: the figures are steady.
    proxy.setProfile({ throttling: { quotas: { autoscaling: { burst: 4, refillPerSecond: 5 } } } });
    const aws = cloud();
    const calls = 16;
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: calls }, () => aws.readGroups('us-west-2', ['api-us-west-2'])));
    const elapsedMs = Date.now() - started;

    expect(results.every((r) => r.length === 1 && r[0]!.name === 'api-us-west-2')).toBe(true);
    const throttled = counted({ service: 'autoscaling', region: 'us-west-2', action: 'DescribeAutoScalingGroups', outcome: 'throttled' });
    const ok = counted({ service: 'autoscaling', region: 'us-west-2', action: 'DescribeAutoScalingGroups', outcome: 'ok' });
    const stats = aws.stats.snapshot().find((s) => s.region === 'us-west-2' && s.action === 'DescribeAutoScalingGroups')!;
    expect(throttled).toBeGreaterThanOrEqual(calls - 4);
    expect(ok).toBe(calls);
    expect(stats).toMatchObject({ calls, attempts: calls + throttled, throttles: throttled, failures: 0 });
    console.info(`[proxy] burst of ${calls} calls against burst 4, 5/s: ${throttled} throttled attempts, all succeeded in ${elapsedMs} ms`);
  });

  it('answers each service in its own throttling shape, which the SDK classifies as THROTTLING', async () => {
    proxy.setProfile({
      throttling: {
        quotas: {
          autoscaling: { burst: 1, refillPerSecond: 0.001 },
          ec2NonMutating: { burst: 1, refillPerSecond: 0.001 },
          route53: { burst: 1, refillPerSecond: 0.001 },
        },
      },
    });
    const config = (region: string, retryStrategy: RetryStrategyV2) => ({ region, endpoint: proxy.endpoint, credentials: CREDENTIALS, retryStrategy });
    const cases = [
      { service: 'autoscaling', call: (r: RetryStrategyV2) => new AutoScalingClient(config('us-west-2', r)).send(new DescribeAutoScalingGroupsCommand({ MaxRecords: 1 })) },
      { service: 'ec2', call: (r: RetryStrategyV2) => new EC2Client(config('us-west-2', r)).send(new DescribeInstancesCommand({ MaxResults: 5 })) },
      { service: 'route53', call: (r: RetryStrategyV2) => new Route53Client(config(ROUTE53_REGION, r)).send(new ListHostedZonesCommand({})) },
    ];
    const seen: Record<string, { name: string; status: number | undefined; sdk: RetryErrorType[]; lifeboat: boolean }> = {};
    for (const c of cases) {
      const strategy = recordingRetryStrategy();
      await c.call(strategy); // takes the only token
      const error = (await c.call(strategy).then(
        () => undefined,
        (e: unknown) => e,
      )) as { name: string; $metadata?: { httpStatusCode?: number } };
      seen[c.service] = { name: error.name, status: error.$metadata?.httpStatusCode, sdk: strategy.seen, lifeboat: isThrottlingError(error) };
    }
    expect(seen).toEqual({
      autoscaling: { name: 'Throttling', status: 400, sdk: ['THROTTLING'], lifeboat: true },
      ec2: { name: 'RequestLimitExceeded', status: 503, sdk: ['THROTTLING'], lifeboat: true },
      route53: { name: 'Throttling', status: 400, sdk: ['THROTTLING'], lifeboat: true },
    });
  });
});

describe('AWS proxy: instance launch time', () => {
  it('shows the instances a capacity increase adds as Pending until launch + warm-up (time-scaled) have passed, then InService; the others stay InService', async () => {
    // 30 s launch + 15 s warm-up at 1/30 speed: 1.5 s of the proxy's clock, held and moved by hand.
    proxy.setProfile({ timeScale: 1 / 30, launch: { launchSeconds: 30, warmupSeconds: 15 } });
    const aws = cloud();
    const [before] = await aws.readGroups('us-west-2', ['web-us-west-2']);
    clock.hold();
    await aws.setGroupSize({ region: 'us-west-2', group: 'web-us-west-2', minSize: before!.minSize, desiredCapacity: before!.desiredCapacity + 2, maxSize: before!.maxSize });

    const [right] = await aws.readGroups('us-west-2', ['web-us-west-2']);
    expect(count(states(right), 'InService')).toBe(before!.desiredCapacity);
    expect(count(states(right), 'Pending')).toBe(2);
    const oldIds = new Set(before!.instances.map((i) => i.instanceId));
    expect(right!.instances.filter((i) => oldIds.has(i.instanceId)).every((i) => i.lifecycleState === 'InService')).toBe(true);

    // A millisecond short of launch + warm-up: still Pending.
    clock.advance(1499);
    const [almost] = await aws.readGroups('us-west-2', ['web-us-west-2']);
    expect(count(states(almost), 'Pending')).toBe(2);
    // Launch + warm-up passed: every instance InService.
    clock.advance(1);
    const [ready] = await aws.readGroups('us-west-2', ['web-us-west-2']);
    expect(count(states(ready), 'InService')).toBe(before!.desiredCapacity + 2);
    expect(states(ready)).not.toContain('Pending');
  });
});

describe('AWS proxy: Route 53 propagation', () => {
  it('answers changes PENDING with distinct ids that turn INSYNC once the propagation time has passed', async () => {
    // 1.5 s of the proxy's clock, held and moved by hand.
    proxy.setProfile({ dns: { propagationSeconds: 1.5 } });
    const aws = cloud();
    clock.hold();
    const first = await aws.setWeights([{ record: recordOf('search.example.com', 'us-west-2'), weight: 90 }]);
    const second = await aws.setWeights([{ record: recordOf('search.example.com', 'eu-west-1'), weight: 110 }]);
    const changes = [...first, ...second];

    expect(changes.map((c) => c.status)).toEqual(['PENDING', 'PENDING']);
    expect(new Set(changes.map((c) => c.changeId)).size).toBe(2);
    for (const c of changes) expect(c.changeId).toMatch(/^C[0-9A-Z]{10,}$/);
    expect(await aws.changeStatus(changes[0]!.changeId)).toBe('PENDING');

    // A millisecond short of the propagation time: both still PENDING; then both INSYNC.
    clock.advance(1499);
    expect(await Promise.all(changes.map((c) => aws.changeStatus(c.changeId)))).toEqual(['PENDING', 'PENDING']);
    clock.advance(1);
    expect(await Promise.all(changes.map((c) => aws.changeStatus(c.changeId)))).toEqual(['INSYNC', 'INSYNC']);
    expect(await aws.readWeights([recordOf('search.example.com', 'us-west-2'), recordOf('search.example.com', 'eu-west-1')])).toEqual([90, 110]);
  });
});

describe('AWS proxy: capacity faults', () => {
  it('delivers only N new instances in a region limited to N; the scaling activities report InsufficientInstanceCapacity; lifting the limit launches the rest', async () => {
    proxy.setProfile({ capacityLimits: [{ region: 'eu-west-1', maxNewInstances: 2 }] });
    const aws = cloud();
    const [before] = await aws.readGroups('eu-west-1', ['api-eu-west-1']);
    const since = new Date(Date.now() - 1000).toISOString();
    await aws.setGroupSize({ region: 'eu-west-1', group: 'api-eu-west-1', minSize: before!.minSize, desiredCapacity: before!.desiredCapacity + 5, maxSize: before!.maxSize });

    const [after] = await aws.readGroups('eu-west-1', ['api-eu-west-1']);
    expect(after!.desiredCapacity).toBe(before!.desiredCapacity + 5);
    expect(count(states(after), 'InService')).toBe(before!.desiredCapacity + 2);

    const problems = await aws.readScalingProblems('eu-west-1', ['api-eu-west-1'], since);
    expect(problems.map((p) => p.reason)).toEqual(['InsufficientInstanceCapacity']);
    expect(problems[0]!.message).toMatch(/sufficient t3\.micro capacity in the Availability Zone you requested \(eu-west-1a\)/);

    proxy.patchProfile({ capacityLimits: [] });
    const [healed] = await pollUntil(
      () => aws.readGroups('eu-west-1', ['api-eu-west-1']),
      ([g]) => count(states(g), 'InService') === before!.desiredCapacity + 5,
      5_000,
    );
    expect(healed!.instances).toHaveLength(before!.desiredCapacity + 5);
  });
});

describe('AWS proxy: injected 5xx', () => {
  it('fails the next two calls with 500 InternalFailure and 503 ServiceUnavailable; the SDK retries and the call succeeds', async () => {
    proxy.setProfile({
      serverErrors: {
        bursts: [
          { count: 1, status: 500, service: 'autoscaling', action: 'DescribeAutoScalingGroups' },
          { count: 1, status: 503, service: 'autoscaling', action: 'DescribeAutoScalingGroups' },
        ],
      },
    });
    const aws = cloud({ maxAttempts: 3 });
    const [group] = await aws.readGroups('us-east-1', ['search-us-east-1']);

    expect(group?.name).toBe('search-us-east-1');
    expect(counted({ action: 'DescribeAutoScalingGroups', outcome: 'error' })).toBe(2);
    expect(counted({ action: 'DescribeAutoScalingGroups', outcome: 'ok' })).toBe(1);
    expect(aws.stats.snapshot().find((s) => s.action === 'DescribeAutoScalingGroups')).toMatchObject({ calls: 1, attempts: 3, failures: 0 });
  });
});

describe('AWS proxy: a region that stops answering', () => {
  it('hangs the region until the request timeout: AwsCloud fails its calls with LB_ERR_AWS_UNAVAILABLE and readFleet reports it REGION_UNREADABLE with the other regions read', async () => {
    proxy.setProfile({ unreachable: [{ region: 'eu-west-1', mode: 'hang' }] });
    const aws = cloud({ maxAttempts: 2, requestTimeoutMs: 400 });

    const error = await aws.readGroups('eu-west-1', ['api-eu-west-1']).then(
      () => undefined,
      (e: unknown) => e as { code?: string; details?: Record<string, unknown> },
    );
    expect(error?.code).toBe('LB_ERR_AWS_UNAVAILABLE');
    // Both attempts reached the proxy, which held them unanswered, and each ended at the request timeout.
    expect(error?.details).toMatchObject({ region: 'eu-west-1', attempts: 2, awsCode: 'ETIMEDOUT' });
    expect(counted({ region: 'eu-west-1', outcome: 'dropped' })).toBe(2);

    const fleet = await aws.readFleet();
    expect(fleet.warnings?.map((w) => [w.code, w.region])).toEqual([['REGION_UNREADABLE', 'eu-west-1']]);
    expect(new Set(fleet.groups.map((g) => g.region))).toEqual(new Set(['us-east-1', 'us-west-2']));
    expect(fleet.zones).toHaveLength(1);
    expect(counted({ region: 'eu-west-1', outcome: 'dropped' })).toBe(4);
  });

  it('resets the connections of a region: AwsCloud fails its calls with LB_ERR_AWS_UNAVAILABLE at once', async () => {
    proxy.setProfile({ unreachable: [{ region: 'us-west-2', mode: 'reset' }] });
    const aws = cloud({ maxAttempts: 2 });
    const error = await aws.readGroups('us-west-2', ['api-us-west-2']).then(
      () => undefined,
      (e: unknown) => e as { code?: string; details?: Record<string, unknown> },
    );
    expect(error?.code).toBe('LB_ERR_AWS_UNAVAILABLE');
    expect(error?.details?.awsCode).toBe('ECONNRESET');
    expect(counted({ region: 'us-west-2', outcome: 'dropped' })).toBe(2);
  });
});

describe('AWS proxy: admin endpoint', () => {
  const admin = (path: string, init?: RequestInit) => fetch(`${proxy.endpoint}/__proxy/${path}`, init);
  const json = (method: string, body: unknown): RequestInit => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('switches features on and off at run time, refuses a bad profile naming the field, and reports and resets counters', async () => {
    expect(await (await admin('health')).json()).toMatchObject({ status: 'ok', target: moto.endpoint });

    const bad = await admin('profile', json('PUT', { throttling: { quotas: { autoscaling: { burst: 0 } } } }));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { details: { field: string } } }).error.details.field).toBe('throttling.quotas.autoscaling.burst');
    const unknown = await admin('profile', json('PATCH', { latency: { fixdMs: 5 } }));
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { details: { field: string } } }).error.details.field).toBe('latency.fixdMs');

    const on = await admin('profile', json('PATCH', { throttling: { enabled: true, quotas: { autoscaling: { burst: 1, refillPerSecond: 0.001 } } } }));
    expect(on.status).toBe(200);
    expect(((await on.json()) as { throttling: { enabled: boolean } }).throttling.enabled).toBe(true);
    const aws = cloud({ maxAttempts: 1 });
    await aws.readGroups('us-east-1', ['api-us-east-1']);
    await expect(aws.readGroups('us-east-1', ['api-us-east-1'])).rejects.toMatchObject({ code: 'LB_ERR_AWS_THROTTLED' });

    expect((await admin('profile', json('PATCH', { throttling: { enabled: false } }))).status).toBe(200);
    await aws.readGroups('us-east-1', ['api-us-east-1']);
    const profile = (await (await admin('profile')).json()) as { throttling: { enabled: boolean; quotas: { route53: { burst: number } } } };
    expect(profile.throttling).toMatchObject({ enabled: false, quotas: { route53: { burst: 50 } } });

    const counters = (await (await admin('counters')).json()) as { counters: CallCounter[]; totals: Record<string, number> };
    // Two group reads answered, each with its EC2 status check read (the throttled one never got that far).
    expect(counters.totals).toMatchObject({ ok: 4, throttled: 1, error: 0, dropped: 0 });
    expect(counters.counters).toContainEqual(expect.objectContaining({ service: 'ec2', action: 'DescribeInstanceStatus', outcome: 'ok', count: 2 }));
    expect(counters.counters).toContainEqual(expect.objectContaining({ service: 'autoscaling', region: 'us-east-1', action: 'DescribeAutoScalingGroups', outcome: 'throttled', count: 1 }));

    expect((await admin('counters/reset', { method: 'POST' })).status).toBe(200);
    expect(((await (await admin('counters')).json()) as { counters: CallCounter[] }).counters).toEqual([]);
  });
});

describe('AWS proxy: boto3', () => {
  it('serves boto3 the same way: Pending instances, PENDING changes, and throttling botocore retries', async () => {
    proxy.setProfile({
      throttling: { quotas: { autoscaling: { burst: 2, refillPerSecond: 5 } } },
      launch: { launchSeconds: 30 },
      dns: { propagationSeconds: 30 },
    });
    const script = `
import json, sys, boto3
from botocore.config import Config
cfg = Config(retries={"mode": "standard", "max_attempts": 8})
kw = dict(endpoint_url=sys.argv[1], aws_access_key_id="AKIDPROXYTESTING", aws_secret_access_key="x", config=cfg)
asg = boto3.client("autoscaling", region_name="us-east-1", **kw)
r53 = boto3.client("route53", region_name="us-east-1", **kw)
retries = 0
def call(method, **args):
    global retries
    out = method(**args)
    retries += out["ResponseMetadata"]["RetryAttempts"]
    return out
for _ in range(6):
    call(asg.describe_auto_scaling_groups, AutoScalingGroupNames=["web-us-east-1"])
size = call(asg.describe_auto_scaling_groups, AutoScalingGroupNames=["search-us-east-1"])["AutoScalingGroups"][0]["DesiredCapacity"]
call(asg.set_desired_capacity, AutoScalingGroupName="search-us-east-1", DesiredCapacity=size + 1)
grown = call(asg.describe_auto_scaling_groups, AutoScalingGroupNames=["search-us-east-1"])["AutoScalingGroups"]
zone = r53.list_hosted_zones()["HostedZones"][0]["Id"]
change = r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
    "Name": "boto.example.com", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "192.0.2.99"}]}}]})["ChangeInfo"]
status = r53.get_change(Id=change["Id"])["ChangeInfo"]["Status"]
states = [i["LifecycleState"] for i in grown[0]["Instances"]]
print(json.dumps({"groups": len(grown), "pending": states.count("Pending"), "retries": retries, "change": change["Status"], "getChange": status}))
`;
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn('python3', ['-c', script, proxy.endpoint], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`python3 exited ${code}: ${stderr}`))));
    });
    const result = JSON.parse(output) as { groups: number; retries: number; pending: number; change: string; getChange: string };
    expect(result).toMatchObject({ groups: 1, pending: 1, change: 'PENDING', getChange: 'PENDING' });
    expect(result.retries).toBeGreaterThan(0);
    expect(result.retries).toBe(counted({ service: 'autoscaling', outcome: 'throttled' }));
  });
});
