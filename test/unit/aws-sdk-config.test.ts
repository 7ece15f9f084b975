import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeInstanceStatusCommand } from '@aws-sdk/client-ec2';
import { GetHostedZoneCountCommand } from '@aws-sdk/client-route-53';
import { AwsAccounts } from '../../src/cloud/aws/aws-accounts';
import { AwsClients } from '../../src/cloud/aws/aws-clients';
import { lifeboatAppId } from '../../src/operations/package-root';

/**
 * The SDK's own configuration decides retries (AWS_RETRY_MODE / AWS_MAX_ATTEMPTS, or the
 * shared config profile's retry_mode / max_attempts), lifeboat's defaults only when neither
 * says; every request names lifeboat in its user agent; one credential provider serves every
 * client. Real SDK clients against a local HTTP server; the shared config is a real file.
 */

const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };
/** What the SDK reads that these tests set; saved and restored around each test. */
const SDK_ENV = [
  'AWS_MAX_ATTEMPTS',
  'AWS_RETRY_MODE',
  'AWS_PROFILE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_EC2_METADATA_DISABLED',
];

let saved: Record<string, string | undefined>;
let dir: string;
let files = 0;

beforeEach(() => {
  saved = Object.fromEntries(SDK_ENV.map((k) => [k, process.env[k]]));
  for (const k of SDK_ENV) delete process.env[k];
  dir = mkdtempSync(join(tmpdir(), 'lifeboat-sdk-config-'));
  // No profile of the machine's may leak in: an empty config and credentials file unless a test writes one.
  process.env.AWS_CONFIG_FILE = sharedConfig('');
  process.env.AWS_SHARED_CREDENTIALS_FILE = sharedConfig('');
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
});

afterEach(() => {
  for (const k of SDK_ENV) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  rmSync(dir, { recursive: true, force: true });
});

/** A shared config file of its own name (the SDK caches what it read per path). */
function sharedConfig(text: string): string {
  const path = join(dir, `config-${++files}`);
  writeFileSync(path, text);
  return path;
}

/** A client config value as the SDK resolves it: a provider is called. */
async function resolved<T>(value: T | (() => Promise<T>)): Promise<T> {
  return typeof value === 'function' ? (value as () => Promise<T>)() : value;
}

interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
}

/** An endpoint that records every request and answers each with `answer` (a 503 unless told). */
async function recordingServer(answer: (url: string) => { status: number; body: string } = () => ({ status: 503, body: '' })) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      const a = answer(req.url ?? '');
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    seen,
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

describe('retry mode and attempts', () => {
  it("are lifeboat's (8 attempts, standard) when neither the environment nor the profile sets them", async () => {
    const clients = new AwsClients({ regions: ['us-east-1'], credentials: CREDENTIALS });
    try {
      const config = clients.autoScaling('us-east-1').config;
      expect(await config.maxAttempts()).toBe(8);
      expect(await resolved(config.retryMode)).toBe('standard');
    } finally {
      clients.destroy();
    }
  });

  it('come from AWS_MAX_ATTEMPTS and AWS_RETRY_MODE when set', async () => {
    process.env.AWS_MAX_ATTEMPTS = '3';
    process.env.AWS_RETRY_MODE = 'adaptive';
    const clients = new AwsClients({ regions: ['us-east-1'], credentials: CREDENTIALS });
    try {
      for (const config of [clients.autoScaling('us-east-1').config, clients.ec2('us-east-1').config, clients.loadMetrics('us-east-1').config, clients.route53.config]) {
        expect(await config.maxAttempts()).toBe(3);
        expect(await resolved(config.retryMode)).toBe('adaptive');
      }
    } finally {
      clients.destroy();
    }
  });

  it("come from the shared config profile's max_attempts and retry_mode when the environment is silent", async () => {
    process.env.AWS_CONFIG_FILE = sharedConfig('[profile ops]\nmax_attempts = 5\nretry_mode = adaptive\n');
    process.env.AWS_PROFILE = 'ops';
    const clients = new AwsClients({ regions: ['eu-west-1'], credentials: CREDENTIALS });
    try {
      const config = clients.autoScaling('eu-west-1').config;
      expect(await config.maxAttempts()).toBe(5);
      expect(await resolved(config.retryMode)).toBe('adaptive');
    } finally {
      clients.destroy();
    }
  });

  it("the profile's max_attempts is how many times a failing call is really tried", async () => {
    process.env.AWS_CONFIG_FILE = sharedConfig('[default]\nmax_attempts = 2\n');
    const server = await recordingServer();
    const clients = new AwsClients({ regions: ['us-east-1'], endpoint: server.endpoint, credentials: CREDENTIALS });
    try {
      await expect(clients.autoScaling('us-east-1').send(new DescribeAutoScalingGroupsCommand({}))).rejects.toBeDefined();
      expect(server.seen).toHaveLength(2);
      expect(clients.stats.snapshot()).toMatchObject([{ action: 'DescribeAutoScalingGroups', calls: 1, attempts: 2, failures: 1 }]);
    } finally {
      clients.destroy();
      await server.close();
    }
  });

  it("an explicit maxAttempts (lifeboat's own AWS_MAX_ATTEMPTS setting) wins over the profile", async () => {
    process.env.AWS_CONFIG_FILE = sharedConfig('[default]\nmax_attempts = 5\n');
    const clients = new AwsClients({ regions: ['us-east-1'], credentials: CREDENTIALS, maxAttempts: 1 });
    try {
      expect(await clients.autoScaling('us-east-1').config.maxAttempts()).toBe(1);
    } finally {
      clients.destroy();
    }
  });
});

describe('the user agent', () => {
  it("names lifeboat and its version (package.json's) on the requests of every client", async () => {
    const version = (JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string }).version;
    expect(lifeboatAppId()).toBe(`lifeboat/${version}`);
    const server = await recordingServer();
    const clients = new AwsClients({ regions: ['us-east-1'], endpoint: server.endpoint, credentials: CREDENTIALS, maxAttempts: 1, appId: lifeboatAppId() });
    try {
      const calls = [
        clients.autoScaling('us-east-1').send(new DescribeAutoScalingGroupsCommand({})),
        clients.loadMetrics('us-east-1').send(new GetMetricDataCommand({ MetricDataQueries: [], StartTime: new Date(0), EndTime: new Date(60_000) })),
        clients.ec2('us-east-1').send(new DescribeInstanceStatusCommand({})),
        clients.route53.send(new GetHostedZoneCountCommand({})),
      ];
      // Every call fails (the endpoint answers 503): only what was sent matters here.
      expect((await Promise.allSettled(calls)).map((r) => r.status)).toEqual(calls.map(() => 'rejected'));
      expect(server.seen).toHaveLength(4);
      // The SDK escapes the app id's '/' as '-' in the header (what CloudTrail's userAgent then shows).
      for (const request of server.seen) expect(request.headers['user-agent']).toMatch(new RegExp(`(^| )app/lifeboat-${version.replace(/\./g, '\\.')}( |$)`));
    } finally {
      clients.destroy();
      await server.close();
    }
  });
});

describe('credentials', () => {
  it('are resolved once for every client of every account: one shared provider chain', async () => {
    const expiration = new Date(Date.now() + 3_600_000).toISOString();
    const server = await recordingServer((url) =>
      url.startsWith('/credentials')
        ? { status: 200, body: JSON.stringify({ AccessKeyId: 'AKIDSHARED', SecretAccessKey: 'secret', Token: 'token', Expiration: expiration }) }
        : { status: 503, body: '' },
    );
    // The container credentials endpoint, the chain's step that needs a request to answer.
    process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = `${server.endpoint}/credentials`;
    const accounts = new AwsAccounts({ regions: ['us-east-1', 'us-west-2'], accounts: [{ id: '111111111111' }, { id: '222222222222' }], endpoint: server.endpoint, maxAttempts: 1 });
    try {
      const calls = accounts.all().flatMap((clients) => [
        clients.autoScaling('us-east-1').send(new DescribeAutoScalingGroupsCommand({})),
        clients.autoScaling('us-west-2').send(new DescribeAutoScalingGroupsCommand({})),
        clients.ec2('us-west-2').send(new DescribeInstanceStatusCommand({})),
        clients.route53.send(new GetHostedZoneCountCommand({})),
      ]);
      // Every call fails (the endpoint answers 503): only what was sent matters here.
      expect((await Promise.allSettled(calls)).map((r) => r.status)).toEqual(calls.map(() => 'rejected'));
      const awsRequests = server.seen.filter((r) => !r.url.startsWith('/credentials'));
      expect(awsRequests).toHaveLength(calls.length);
      for (const request of awsRequests) expect(request.headers.authorization).toContain('Credential=AKIDSHARED/');
      expect(server.seen.filter((r) => r.url.startsWith('/credentials'))).toHaveLength(1);
    } finally {
      accounts.destroy();
      await server.close();
    }
  });
});
