import { AwsCloud } from '../../../src/cloud/aws/aws-cloud';
import { takeSnapshot } from '../../../src/operations/fleet-snapshot';
import { startMotoServer } from '../../../src/sandbox/moto/moto-server';
import { seedFleet } from '../../../src/sandbox/fleet/seed-fleet';
import type { ProxyProfileInput } from '../../../src/sandbox/proxy/proxy-profile';
import { nodeArgs } from '../bench-world';
import { startProxyProcess } from '../proxy-process';
import { median, round } from '../stats';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const CREDENTIALS = { accessKeyId: 'bench', secretAccessKey: 'bench' };

/**
 * lifeboat's own read of a fleet of `groups` groups (in `regions` regions, one weighted record
 * per group) through the proxy with AWS's quotas: what an operator waits for before any plan.
 * The plan bench plans a fleet of the same shape, so the two can be compared. The groups run
 * no instances (moto would take minutes to launch tens of thousands), so the read is cheaper
 * than a real one: the comparison favours the read, never the plan.
 */
export async function runFleetRead(groups: number, regionCount: number, reads: number, proxy: ProxyProfileInput) {
  const regions = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-south-1', 'sa-east-1', 'ca-central-1'].slice(0, regionCount);
  const moto = await startMotoServer();
  try {
    const services = Array.from({ length: Math.ceil(groups / regionCount) }, (_, i) => ({
      name: `svc${i}`,
      dns: `svc${i}.example.com`,
      capacityPerInstance: 100,
      regions: Object.fromEntries(regions.map((r) => [r, { desired: 0, min: 0, max: 80, weight: 100 }])),
    }));
    const seedStarted = Date.now();
    await seedFleet({ regions, services }, { endpoint: moto.endpoint, credentials: CREDENTIALS });
    const seedSeconds = (Date.now() - seedStarted) / 1000;
    const proxied = await startProxyProcess(ROOT, nodeArgs('src/sandbox/proxy/proxy-main.ts'), moto.endpoint, proxy);
    try {
      const times: number[] = [];
      let read = 0;
      for (let i = 0; i < reads; i++) {
        // A new client each time, as a cold process would read (no connections or buckets carried over).
        const cloud = new AwsCloud({ regions, endpoint: proxied.endpoint, credentials: CREDENTIALS });
        const t = performance.now();
        const snapshot = await takeSnapshot(cloud);
        times.push(performance.now() - t);
        read = snapshot.groups.length;
      }
      return { groups: read, regions: regions.length, reads, medianMs: round(median(times)), seedSeconds: round(seedSeconds, 1) };
    } finally {
      await proxied.stop();
    }
  } finally {
    await moto.stop();
  }
}
