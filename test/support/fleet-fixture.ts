import type { AutoScalingGroupReading, FleetReading, FleetSnapshot, RecordSetReading } from '../../src/core/fleet';
import { assembleSnapshot } from '../../src/core/snapshot';

export interface RegionSpec {
  desired: number;
  min?: number;
  max?: number;
  /** Weight of the service's weighted record in this region (omit for no record). */
  weight?: number;
  /** Instances InService (defaults to desired). */
  inService?: number;
  /** Several groups: split desired/min/max this many ways. */
  groups?: number;
}

export interface ServiceSpec {
  name: string;
  /** DNS name of its weighted records; omit for a service without traffic records. */
  dns?: string;
  capacityPerInstance?: number;
  regions: Record<string, RegionSpec>;
}

export const ZONE = { zoneId: 'Z0MANAGED', zoneName: 'example.com' };

/** The plainest fleet: one service, `api`, with 10 instances (2 to 20) and weight 100 in each of three regions. */
export const apiInThreeRegions = (): ServiceSpec[] => [
  {
    name: 'api',
    dns: 'api.example.com',
    regions: {
      'us-east-1': { desired: 10, min: 2, max: 20, weight: 100 },
      'us-west-2': { desired: 10, min: 2, max: 20, weight: 100 },
      'eu-west-1': { desired: 10, min: 2, max: 20, weight: 100 },
    },
  },
];

/** A FleetReading as the AWS adapter would produce it, from a compact description. */
export function fleetReading(services: ServiceSpec[], regions = ['us-east-1', 'us-west-2', 'eu-west-1'], takenAt = '2026-11-24T12:00:00.000Z'): FleetReading {
  const groups: AutoScalingGroupReading[] = [];
  const records: RecordSetReading[] = [];
  for (const s of services) {
    for (const [region, spec] of Object.entries(s.regions)) {
      const n = spec.groups ?? 1;
      for (let k = 0; k < n; k++) {
        const part = (x: number) => Math.floor(x / n) + (k < x % n ? 1 : 0);
        const desired = part(spec.desired);
        const inService = part(spec.inService ?? spec.desired);
        groups.push({
          region,
          name: `${s.name}-${region}${n > 1 ? `-${k + 1}` : ''}`,
          minSize: part(spec.min ?? 1),
          maxSize: part(spec.max ?? spec.desired * 3),
          desiredCapacity: desired,
          tags: {
            'lifeboat:service': s.name,
            ...(s.dns ? { 'lifeboat:traffic': s.dns } : {}),
            ...(s.capacityPerInstance ? { 'lifeboat:capacity-per-instance': String(s.capacityPerInstance) } : {}),
          },
          instances: Array.from({ length: desired }, (_, i) => ({
            instanceId: `i-${s.name}-${region}-${k}-${i}`,
            availabilityZone: `${region}a`,
            lifecycleState: i < inService ? 'InService' : 'Pending',
            healthStatus: 'Healthy',
          })),
        });
      }
      if (s.dns && spec.weight !== undefined) {
        records.push({ ...ZONE, name: `${s.dns}.`, type: 'A', setIdentifier: region, weight: spec.weight, ttl: 60, resourceRecords: ['192.0.2.10'] });
      }
    }
  }
  return { takenAt, regions, groups, zones: [{ ...ZONE, records }] };
}

export function fleet(services: ServiceSpec[], regions?: string[]): FleetSnapshot {
  return assembleSnapshot(fleetReading(services, regions));
}
