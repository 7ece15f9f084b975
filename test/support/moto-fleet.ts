import { AwsCloud } from '../../src/cloud/aws/aws-cloud';
import type { MotoServer } from '../../src/sandbox/moto/moto-server';
import { startMotoServer } from '../../src/sandbox/moto/moto-server';
import type { DemoFleetSpec } from '../../src/sandbox/fleet/seed-fleet';
import { seedFleet } from '../../src/sandbox/fleet/seed-fleet';
import { takeSnapshot } from '../../src/operations/fleet-snapshot';

export const DUMMY_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/** The environment a lifeboat process needs to reach AWS at `endpoint` (moto, or the proxy in front of it). */
export function awsEnvFor(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
  };
}

/** The parts of AWS an operation changes: every weight and every group's sizes. */
export interface AwsState {
  weights: Record<string, Record<string, number>>;
  groups: Record<string, [min: number, desired: number, max: number]>;
}

export interface MotoFleet {
  moto: MotoServer;
  endpoint: string;
  /** The environment for a lifeboat process talking to this moto. */
  awsEnv(): Record<string, string>;
  cloud(): AwsCloud;
  state(): Promise<AwsState>;
  /** Forget everything and seed the spec again. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** A real moto server seeded with a fleet, read back through a fresh AWS adapter. */
export async function startMotoFleet(spec: DemoFleetSpec): Promise<MotoFleet> {
  const moto = await startMotoServer();
  const endpoint = moto.endpoint;
  await seedFleet(spec, { endpoint, credentials: DUMMY_CREDENTIALS });
  const cloud = () => new AwsCloud({ regions: spec.regions, endpoint, credentials: DUMMY_CREDENTIALS, maxAttempts: 3 });
  return {
    moto,
    endpoint,
    awsEnv: () => awsEnvFor(endpoint),
    cloud,
    async state() {
      const snapshot = await takeSnapshot(cloud());
      const weights: AwsState['weights'] = {};
      for (const t of snapshot.traffic) (weights[t.name] ??= {})[t.region] = t.weight;
      const groups: AwsState['groups'] = {};
      for (const g of snapshot.groups) groups[`${g.region}/${g.name}`] = [g.minSize, g.desiredCapacity, g.maxSize];
      return { weights, groups };
    },
    async reset() {
      await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      await seedFleet(spec, { endpoint, credentials: DUMMY_CREDENTIALS });
    },
    stop: () => moto.stop(),
  };
}
