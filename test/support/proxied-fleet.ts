import { AwsCloud } from '../../src/cloud/aws/aws-cloud';
import type { DemoFleetSpec } from '../../src/sandbox/fleet/seed-fleet';
import type { AwsProxy } from '../../src/sandbox/proxy/aws-proxy';
import { startAwsProxy } from '../../src/sandbox/proxy/aws-proxy';
import type { CallCounter } from '../../src/sandbox/proxy/call-counters';
import { totalCalls } from '../../src/sandbox/proxy/call-counters';
import { INSTANT } from '../../src/sandbox/proxy/named-profiles';
import type { MotoFleet } from './moto-fleet';
import { DUMMY_CREDENTIALS, awsEnvFor, startMotoFleet } from './moto-fleet';

/**
 * A seeded moto fleet with the AWS fault proxy in front of it. lifeboat talks to the proxy
 * (`cloud()`); the test reads what AWS really holds straight from moto (`fleet.state()`),
 * so its own reads never meet a fault, and reads what AWS *shows* (Pending and missing
 * instances) through the proxy with `inService()`.
 */

/** Which calls to count: any of service, region, action and outcome. */
export type CallFilter = Pick<Partial<CallCounter>, 'service' | 'region' | 'action' | 'outcome'>;

export interface ProxyCloudOptions {
  maxAttempts?: number;
  requestTimeoutMs?: number;
  connectionTimeoutMs?: number;
}

export interface ProxiedFleet {
  fleet: MotoFleet;
  proxy: AwsProxy;
  regions: string[];
  /** An AWS adapter whose every call goes through the proxy. */
  cloud(options?: ProxyCloudOptions): AwsCloud;
  /** Environment for a worker process that talks to AWS through the proxy. */
  awsEnv(): Record<string, string>;
  /** Calls the proxy counted that match every given field. */
  counted(filter: CallFilter): number;
  /** InService (and Healthy) instances per "region/group", as AWS shows them through the proxy (faults off for the read). */
  inService(): Promise<Record<string, number>>;
  /** moto seeded afresh, the proxy back to instant with its counters zeroed. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function startProxiedFleet(spec: DemoFleetSpec): Promise<ProxiedFleet> {
  const fleet = await startMotoFleet(spec);
  const proxy = await startAwsProxy({ target: fleet.endpoint, profile: INSTANT });
  const clouds: AwsCloud[] = [];
  const cloud = (options: ProxyCloudOptions = {}) => {
    const c = new AwsCloud({ regions: spec.regions, endpoint: proxy.endpoint, credentials: DUMMY_CREDENTIALS, maxAttempts: 8, ...options });
    clouds.push(c);
    return c;
  };
  return {
    fleet,
    proxy,
    regions: spec.regions,
    cloud,
    awsEnv: () => awsEnvFor(proxy.endpoint),
    counted: (filter) => totalCalls(proxy.counters(), filter),
    async inService() {
      // Only the faults that would get in the way of reading; capacity limits and launches stay as they are.
      proxy.patchProfile({ throttling: { enabled: false }, unreachable: [], serverErrors: { bursts: [], probability: 0 } });
      const reader = cloud();
      const out: Record<string, number> = {};
      for (const g of (await reader.readFleet()).groups) {
        out[`${g.region}/${g.name}`] = g.instances.filter((i) => i.lifecycleState === 'InService' && i.healthStatus === 'Healthy').length;
      }
      return out;
    },
    async reset() {
      proxy.setProfile(INSTANT);
      await fleet.reset();
      proxy.resetCounters();
    },
    async stop() {
      for (const c of clouds) c.destroy();
      await proxy.stop();
      await fleet.stop();
    },
  };
}
