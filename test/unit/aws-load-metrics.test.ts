import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GetMetricDataCommandInput, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../src/cloud/aws/aws-clients';
import { METRICS_PER_CALL, readFleetLoad } from '../../src/cloud/aws/aws-load-metrics';
import type { AwsService, CallLimiter } from '../../src/cloud/aws/rate-limiter';
import type { AutoScalingGroupReading } from '../../src/core/fleet';
import { defaultLoadMetric } from '../../src/core/load/load-metric';

const CREDENTIALS = { accessKeyId: 'AKIDUNITTEST', secretAccessKey: 'unit-test-secret' };
const TAKEN_AT = '2026-11-24T12:00:41.500Z';

const group = (region: string, name: string, tags: Record<string, string> = {}): AutoScalingGroupReading => ({
  region,
  name,
  minSize: 1,
  maxSize: 9,
  desiredCapacity: 3,
  tags: { 'lifeboat:service': 'api', ...tags },
  instances: [],
});

/** Records which bucket each attempt takes its token from. */
class CountingLimiter implements CallLimiter {
  readonly taken: string[] = [];
  async take(service: AwsService, region: string): Promise<void> {
    this.taken.push(`${service}/${region}`);
  }
}

async function regionOf(getClient: () => unknown): Promise<string> {
  const client = getClient() as { config: { region: () => Promise<string> } };
  return client.config.region();
}

describe('reading the fleet’s load from CloudWatch (mocked SDK client)', () => {
  // Mocked from this block's beforeAll to its afterAll, not from when the file is collected: the
  // block over HTTP runs the real SDK, before or after this one (the tests run shuffled).
  let cloudWatch: AwsClientStub<CloudWatchClient>;
  let clients: AwsClients;

  beforeAll(() => {
    cloudWatch = mockClient(CloudWatchClient);
  });
  beforeEach(() => {
    cloudWatch.reset();
    clients = new AwsClients({ regions: ['us-east-1', 'us-west-2'], credentials: CREDENTIALS });
  });
  afterAll(() => cloudWatch.restore());

  it('asks, in the group’s region, for its CPUUtilization and GroupInServiceInstances over a week and an hour ending at the minute it was read', async () => {
    cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const reading = await readFleetLoad(clients, [group('us-west-2', 'api-us-west-2')], TAKEN_AT);
    expect(reading).toEqual({ endsAt: '2026-11-24T12:00:00.000Z', periodSeconds: 3600, periods: 169, groups: expect.any(Array) });
    const input = cloudWatch.commandCalls(GetMetricDataCommand)[0]!.args[0].input;
    expect(input.StartTime).toEqual(new Date('2026-11-17T11:00:00.000Z'));
    expect(input.EndTime).toEqual(new Date('2026-11-24T12:00:00.000Z'));
    expect(input.ScanBy).toBe('TimestampAscending');
    expect(input.MetricDataQueries!.map((q) => [q.MetricStat!.Metric!.Namespace, q.MetricStat!.Metric!.MetricName, q.MetricStat!.Metric!.Dimensions, q.MetricStat!.Period, q.MetricStat!.Stat])).toEqual([
      ['AWS/EC2', 'CPUUtilization', [{ Name: 'AutoScalingGroupName', Value: 'api-us-west-2' }], 3600, 'Average'],
      ['AWS/AutoScaling', 'GroupInServiceInstances', [{ Name: 'AutoScalingGroupName', Value: 'api-us-west-2' }], 3600, 'Average'],
    ]);
  });

  it('asks for at most 500 metrics a call: 300 groups are 600 metrics, two calls', async () => {
    cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const groups = Array.from({ length: 300 }, (_, i) => group('us-east-1', `g${i}`));
    await readFleetLoad(clients, groups, TAKEN_AT);
    const sizes = cloudWatch.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input.MetricDataQueries!.length);
    expect(sizes).toEqual([METRICS_PER_CALL, 600 - METRICS_PER_CALL]);
  });

  it('follows NextToken and joins each metric’s values across pages, as [period start, value]', async () => {
    const t = (h: number) => new Date(Date.parse('2026-11-24T09:00:00.000Z') + h * 3600_000);
    cloudWatch.on(GetMetricDataCommand).callsFake(async (input: GetMetricDataCommandInput): Promise<{ MetricDataResults: MetricDataResult[]; NextToken?: string }> => {
      const [load, instances] = input.MetricDataQueries!.map((q) => q.Id!);
      if (!input.NextToken) return { MetricDataResults: [{ Id: load, Timestamps: [t(0), t(1)], Values: [40, 50] }, { Id: instances, Timestamps: [t(0)], Values: [3] }], NextToken: 'page-2' };
      return { MetricDataResults: [{ Id: load, Timestamps: [t(2)], Values: [60] }, { Id: instances, Timestamps: [t(1), t(2)], Values: [3, 4] }] };
    });
    const reading = await readFleetLoad(clients, [group('us-east-1', 'api-us-east-1')], TAKEN_AT);
    const second = cloudWatch.commandCalls(GetMetricDataCommand)[1]!.args[0].input;
    expect(second.NextToken).toBe('page-2');
    const s = (h: number) => t(h).getTime() / 1000;
    expect(reading.groups).toEqual([
      {
        region: 'us-east-1',
        group: 'api-us-east-1',
        metric: defaultLoadMetric('api-us-east-1'),
        points: [[s(0), 40], [s(1), 50], [s(2), 60]],
        instances: [[s(0), 3], [s(1), 3], [s(2), 4]],
      },
    ]);
  });

  it('reads a tagged group’s own metric, a count without an instance count, and skips one whose tag does not parse (the snapshot says why)', async () => {
    cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const alb = 'AWS/ApplicationELB:RequestCount:TargetGroup=targetgroup/web/0123456789abcdef,LoadBalancer=app/web/fedcba9876543210:Sum';
    await readFleetLoad(clients, [group('us-east-1', 'web-1', { 'lifeboat:load-metric': alb }), group('us-east-1', 'web-2', { 'lifeboat:load-metric': 'nonsense' })], TAKEN_AT);
    const queries = cloudWatch.commandCalls(GetMetricDataCommand)[0]!.args[0].input.MetricDataQueries!;
    expect(queries.map((q) => q.MetricStat)).toEqual([
      {
        Metric: {
          Namespace: 'AWS/ApplicationELB',
          MetricName: 'RequestCount',
          Dimensions: [
            { Name: 'TargetGroup', Value: 'targetgroup/web/0123456789abcdef' },
            { Name: 'LoadBalancer', Value: 'app/web/fedcba9876543210' },
          ],
        },
        Period: 3600,
        Stat: 'Sum',
      },
    ]);
  });

  it('lists a region whose CloudWatch fails as unreadable and still returns the others', async () => {
    cloudWatch.on(GetMetricDataCommand).callsFake(async (_input, getClient) => {
      if ((await regionOf(getClient)) === 'us-east-1') throw Object.assign(new Error('We encountered an internal error.'), { name: 'InternalServiceFault', $metadata: { httpStatusCode: 500 } });
      return { MetricDataResults: [] };
    });
    const reading = await readFleetLoad(clients, [group('us-east-1', 'a'), group('us-west-2', 'b')], TAKEN_AT);
    expect(reading.groups.map((g) => g.group)).toEqual(['b']);
    expect(reading.unreadable).toEqual([{ region: 'us-east-1', message: expect.stringMatching(/^CloudWatch GetMetricData in us-east-1 got no usable answer/) }]);
  });

  it('lists a region as unreadable when CloudWatch says it could not read a metric', async () => {
    cloudWatch.on(GetMetricDataCommand).callsFake(async (input: GetMetricDataCommandInput) => ({
      MetricDataResults: [{ Id: input.MetricDataQueries![0]!.Id, StatusCode: 'Forbidden', Label: 'CPUUtilization', Messages: [{ Code: 'Forbidden', Value: 'not authorized' }] }],
    }));
    const reading = await readFleetLoad(clients, [group('us-east-1', 'a')], TAKEN_AT);
    expect(reading.unreadable).toEqual([{ region: 'us-east-1', message: 'CloudWatch GetMetricData in us-east-1 answered Forbidden for CPUUtilization: not authorized' }]);
  });
});

describe('CloudWatch over HTTP (a local endpoint)', () => {
  it('takes a token from its own quota bucket, cloudwatch-metrics in the region, for every attempt', async () => {
    let requests = 0;
    const server = createServer((req, res) => {
      requests++;
      req.resume();
      req.on('end', () => {
        // The first attempt is throttled: the retry must take a token too.
        if (requests === 1) {
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ MetricDataResults: [] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const limiter = new CountingLimiter();
    const clients = new AwsClients({ regions: ['eu-west-1'], endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, credentials: CREDENTIALS, maxAttempts: 2, limiter });
    try {
      const reading = await readFleetLoad(clients, [group('eu-west-1', 'a')], TAKEN_AT);
      expect(reading.unreadable).toBeUndefined();
      expect(limiter.taken).toEqual(['cloudwatch-metrics/eu-west-1', 'cloudwatch-metrics/eu-west-1']);
      expect(clients.stats.snapshot()).toEqual([{ service: 'cloudwatch-metrics', region: 'eu-west-1', action: 'GetMetricData', calls: 1, attempts: 2, throttles: 1, failures: 0 }]);
    } finally {
      clients.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('makes its region unreadable at the deadline instead of holding the fleet read', async () => {
    const server = createServer(() => undefined); // accepts, never answers
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const clients = new AwsClients({ regions: ['us-east-1'], endpoint, credentials: CREDENTIALS, maxAttempts: 1 });
    try {
      const reading = await readFleetLoad(clients, [group('us-east-1', 'a')], TAKEN_AT, { timeoutMs: 200 });
      expect(reading.groups).toEqual([]);
      expect(reading.unreadable).toEqual([{ region: 'us-east-1', message: expect.stringMatching(/CloudWatch GetMetricData in us-east-1/) }]);
    } finally {
      clients.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
