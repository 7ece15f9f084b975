import { AwsCloud } from '../../src/cloud/aws/aws-cloud';
import type { DemoFleetSpec } from '../../src/sandbox/fleet/seed-fleet';
import { DEMO_FLEET } from '../../src/sandbox/fleet/seed-fleet';
import type { AwsProxy } from '../../src/sandbox/proxy/aws-proxy';
import { startAwsProxy } from '../../src/sandbox/proxy/aws-proxy';
import { DEMO } from '../../src/sandbox/proxy/named-profiles';
import type { ProxyProfileInput } from '../../src/sandbox/proxy/proxy-profile';
import type { TestApi } from './api-client';
import { startApi } from './api-client';
import type { TestLifeboat } from './harness';
import { testLifeboat } from './harness';
import type { MotoFleet } from './moto-fleet';
import { DUMMY_CREDENTIALS, startMotoFleet } from './moto-fleet';

/**
 * A lifeboat as the demo runs it, for browser tests: moto seeded with the demo fleet, the
 * AWS proxy in front of it with launch and DNS delays (so an evacuation takes long enough to
 * watch), the API on a free port with the test tokens, and one worker.
 */
export interface LiveLifeboat {
  fleet: MotoFleet;
  proxy: AwsProxy;
  lb: TestLifeboat;
  api: TestApi;
  url: string;
  stop(): Promise<void>;
}

/** What `npm run demo` shows (instances in ~4 s, DNS changes in ~2 s), under a name of its own. */
export const WATCHABLE_PROFILE: ProxyProfileInput = { ...DEMO, name: 'watchable' };

export async function startLiveLifeboat(options: { spec?: DemoFleetSpec; profile?: ProxyProfileInput; env?: Record<string, string> } = {}): Promise<LiveLifeboat> {
  const spec = options.spec ?? DEMO_FLEET;
  const stops: Array<() => Promise<unknown> | unknown> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await Promise.resolve(s()).catch(() => undefined);
  };
  try {
    const fleet = await startMotoFleet(spec);
    stops.push(() => fleet.stop());
    const proxy = await startAwsProxy({ target: fleet.endpoint, profile: options.profile ?? WATCHABLE_PROFILE });
    stops.push(() => proxy.stop());
    const cloud = new AwsCloud({ regions: spec.regions, endpoint: proxy.endpoint, credentials: DUMMY_CREDENTIALS, maxAttempts: 8 });
    stops.push(() => cloud.destroy());
    const lb = testLifeboat(cloud, {
      LIFEBOAT_CAPACITY_POLL_MS: '250',
      LIFEBOAT_DNS_POLL_MS: '250',
      LIFEBOAT_DWELL: '1',
      LIFEBOAT_CAPACITY_TIMEOUT: '60',
      // One worker, no takeover to test here: a busy machine must not make it lose its job.
      LIFEBOAT_JOB_LOCK_MS: '30000',
      LIFEBOAT_STALLED_INTERVAL_MS: '30000',
      ...options.env,
    });
    stops.push(() => lb.close());
    const api = await startApi(lb);
    stops.push(() => api.close());
    const worker = lb.startWorker('live-worker');
    await worker.waitUntilReady();
    return { fleet, proxy, lb, api, url: api.url, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
