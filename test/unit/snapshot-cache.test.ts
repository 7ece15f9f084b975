import { describe, expect, it } from 'vitest';
import type { FleetReader } from '../../src/cloud/ports';
import { SnapshotCache } from '../../src/operations/snapshot-cache';
import { fleetReading } from '../support/fleet-fixture';
import { eventually } from '../support/eventually';

function countingReader() {
  let reads = 0;
  let finished = 0;
  const reader: FleetReader = {
    readFleet: async () => {
      reads += 1;
      await new Promise((r) => setImmediate(r));
      finished += 1;
      return fleetReading([{ name: 'api', dns: 'api.example.com', regions: { 'us-east-1': { desired: 1, weight: 1 } } }], ['us-east-1']);
    },
    probe: async () => [],
  };
  return { reader, reads: () => reads, finished: () => finished };
}

describe('the snapshot cache', () => {
  it('reads AWS once for a burst of concurrent information requests', async () => {
    let now = 0;
    const { reader, reads, finished } = countingReader();
    const cache = new SnapshotCache(reader, { now: () => new Date(now), sleep: async () => undefined }, 5000);
    await Promise.all(Array.from({ length: 20 }, () => cache.get()));
    expect(reads()).toBe(1);
    now = 4000;
    await cache.get();
    expect(reads()).toBe(1);
    // A little past its time: answered from the cache while it reads again behind the answer.
    now = 5001;
    await cache.get();
    expect(await eventually('the read behind the answer', () => finished() === 2)).toBe(true);
    expect(reads()).toBe(2);
    // Far past it: read before answering.
    now = 20000;
    await cache.get();
    expect(reads()).toBe(3);
  });

  it('reads again once lifeboat has changed the fleet (its version moved), even within the time to live', async () => {
    let version = 1;
    const { reader, reads } = countingReader();
    const cache = new SnapshotCache(reader, { now: () => new Date(0), sleep: async () => undefined }, 5000, async () => String(version));
    await cache.get();
    await cache.get();
    version = 2;
    await cache.get();
    expect(reads()).toBe(2);
  });

  it('reads AWS now when asked for a fresh fleet (an operation’s guard)', async () => {
    const { reader, reads } = countingReader();
    const cache = new SnapshotCache(reader, { now: () => new Date(0), sleep: async () => undefined }, 5000);
    await cache.get();
    await cache.get(0);
    await cache.get(0);
    expect(reads()).toBe(3);
  });
});
