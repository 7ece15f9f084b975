import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../../api/app';
import type { AwsCredentials } from '../../cloud/aws/aws-clients';
import type { Settings } from '../../operations/settings';
import { loadSettings } from '../../operations/settings';
import { createLifeboat } from '../../app/create-lifeboat';
import { hashToken, newToken } from '../../operations/tokens';
import type { CleanupStack } from './demo-cleanup';

/**
 * lifeboat as `npm start` runs it, API and worker in one process, but wired to the demo's
 * moto and Redis and with timings short enough to watch: capacity and Route 53 polled every
 * 250 ms, one second of dwell after each stage instead of the records' 60 s TTL.
 */
interface DemoLifeboatOptions {
  regions: string[];
  awsEndpoint: string;
  credentials: AwsCredentials;
  redisUrl: string;
  redisPrefix: string;
}

/** The demo's own API token, made at start; lifeboat is configured with its hash only. */
function demoToken(): { token: string; config: string } {
  const token = newToken();
  return { token, config: JSON.stringify([{ name: 'demo', sha256: hashToken(token), roles: ['admin'] }]) };
}

function demoSettings(options: DemoLifeboatOptions & { tokens: string }): Settings {
  return loadSettings({
    LIFEBOAT_TOKENS: options.tokens,
    LIFEBOAT_REGIONS: options.regions.join(','),
    REDIS_URL: options.redisUrl,
    LIFEBOAT_REDIS_PREFIX: options.redisPrefix,
    LIFEBOAT_CAPACITY_POLL_MS: '250',
    LIFEBOAT_DNS_POLL_MS: '250',
    LIFEBOAT_DWELL: '1',
    LIFEBOAT_CAPACITY_TIMEOUT: '120',
    // The demo's Redis is a throwaway one (no persistence); it says so without a warning.
    LIFEBOAT_ACCEPT_VOLATILE_REDIS: 'true',
  });
}

/** Starts lifeboat (API on a free local port, and a worker); returns the API's base URL and its token. */
export async function startDemoLifeboat(options: DemoLifeboatOptions, cleanup: CleanupStack): Promise<{ url: string; token: string }> {
  const { token, config } = demoToken();
  const settings = demoSettings({ ...options, tokens: config });
  const lb = createLifeboat({ settings, aws: { endpoint: options.awsEndpoint, credentials: options.credentials } });
  cleanup.add('close lifeboat (queues, workers, Redis connections)', () => lb.close());
  lb.redis.on('error', (e: Error) => warnOnce('Redis', e.message));
  await lb.ready();

  const server: Server = buildApp(lb.apiDeps()).listen(0, '127.0.0.1');
  cleanup.add('stop the API server', () => closeServer(server));
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));

  const worker = lb.startWorker('demo-worker');
  // Without waiting for an operation in flight (Ctrl-C mid-evacuation): moto is about to go too.
  cleanup.add('stop the worker', () => worker.close(true));
  worker.on('error', (e) => warnOnce('worker', e.message));
  await worker.waitUntilReady();

  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token };
}

const warned = new Set<string>();

/** A connection problem, once per message: ioredis repeats it on every reconnection attempt. */
function warnOnce(source: string, message: string): void {
  const line = `${source}: ${message}`;
  if (warned.has(line)) return;
  warned.add(line);
  process.stderr.write(`${line}\n`);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) return resolve();
    server.close((e) => (e ? reject(e) : resolve()));
    server.closeAllConnections();
  });
}
