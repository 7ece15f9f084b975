import type { BenchWorld } from '../bench-world';
import { finished } from '../bench-world';
import { median, round } from '../stats';

/**
 * From `POST /v1/operations` answered to the first AWS mutation the proxy sees, for small
 * operations (one group scaled), `samples` times; beside it, BullMQ's own pickup time for the
 * same jobs (added to the queue → taken by the worker), the floor lifeboat's latency sits on.
 */
export async function runQueueLatency(world: BenchWorld, samples: number) {
  const region = world.spec.regions[world.spec.regions.length - 1]!;
  const service = world.spec.services[0]!.name;
  const fleet = await world.call('GET', '/v1/fleet?fresh=true');
  const now = (fleet.body.snapshot.capacity as Array<{ service: string; region: string; desiredCapacity: number }>).find((c) => c.service === service && c.region === region)!;
  const latencies: number[] = [];
  const pickups: number[] = [];
  const jobs = world.lb.deps.queue.queue;
  for (let i = 0; i < samples; i++) {
    await world.proxy.resetCounters();
    // Alternate between two sizes neither of which it runs now, so every operation changes something.
    const res = await world.call('POST', '/v1/operations', { kind: 'scale', region, service, desiredCapacity: now.desiredCapacity + 1 + (i % 2) });
    const accepted = Date.now();
    if (res.status !== 202) throw new Error(`scale ${i} to ${now.desiredCapacity + 1 + (i % 2)} (runs ${now.desiredCapacity}) refused: ${JSON.stringify(res.body)}`);
    await finished(world, res.body.operation.id);
    const first = (await world.proxy.counters()).filter((c) => c.action === 'UpdateAutoScalingGroup' && c.outcome === 'ok');
    if (first.length === 0) throw new Error('no mutation reached AWS');
    latencies.push(Math.min(...first.map((c) => c.firstAt)) - accepted);
    const job = await jobs.getJob(res.body.operation.id);
    if (!job?.processedOn) throw new Error(`job ${res.body.operation.id} has no processedOn`);
    pickups.push(job.processedOn - job.timestamp);
  }
  return { samples, medianMs: round(median(latencies)), maxMs: round(Math.max(...latencies)), jobPickupMedianMs: round(median(pickups)), jobPickupMaxMs: round(Math.max(...pickups)) };
}
