import { loadModels } from '../../../src/app/loaders/load-models';
import { DEFAULT_PLAN_CONTEXT, plan } from '../../../src/core/planner/plan';
import { assembleSnapshot } from '../../../src/core/snapshot';
import { fleetReading } from '../../support/fleet-fixture';
import { median, percentile, round } from '../stats';

/** Plan-only: evacuate one of `regions` regions of a fleet of `groups` groups, `runs` times. */
export function runPlanBench(groups: number, regionCount: number, runs: number) {
  const regions = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-south-1', 'sa-east-1', 'ca-central-1'].slice(0, regionCount);
  const services = Array.from({ length: Math.ceil(groups / regionCount) }, (_, i) => ({
    name: `svc${i}`,
    dns: `svc${i}.example.com`,
    capacityPerInstance: 100,
    regions: Object.fromEntries(regions.map((r, k) => [r, { desired: 6 + ((i + k) % 9), max: 80, weight: 100 }])),
  }));
  const snapshot = assembleSnapshot(fleetReading(services, regions));
  const ctx = { ...DEFAULT_PLAN_CONTEXT, models: loadModels() };
  plan(snapshot, { kind: 'evacuate', region: regions[0]! }, ctx); // warm-up: JIT and the model compile
  const times: number[] = [];
  let changes = 0;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const p = plan(snapshot, { kind: 'evacuate', region: regions[i % regions.length]! }, ctx);
    times.push(performance.now() - t);
    changes = p.groupChanges.length;
  }
  return { groups: snapshot.groups.length, regions: regions.length, runs, medianMs: round(median(times)), p95Ms: round(percentile(times, 95)), groupChanges: changes };
}
