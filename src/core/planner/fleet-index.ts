import type { FleetSnapshot, ManagedGroup, RegionCode, ServiceCapacity, WeightedRecord } from '../fleet';
import { appendTo } from '../maps';

/** The snapshot indexed the ways the planner asks it; built once per plan. */
export interface FleetIndex {
  snapshot: FleetSnapshot;
  regions: RegionCode[];
  services: string[];
  groups: Map<string, Map<RegionCode, ManagedGroup[]>>;
  capacity: Map<string, Map<RegionCode, ServiceCapacity>>;
  /** The DNS name a service's traffic arrives by, when its groups say. */
  trafficNameOf: Map<string, string>;
  servicesOfName: Map<string, string[]>;
  /** Per name, the weight of each region that has a record (the primary record type's). */
  weightsOf: Map<string, Map<RegionCode, number>>;
  sharesOf: Map<string, Map<RegionCode, number>>;
  recordsOf: Map<string, WeightedRecord[]>;
}

export function indexFleet(snapshot: FleetSnapshot): FleetIndex {
  const groups = new Map<string, Map<RegionCode, ManagedGroup[]>>();
  for (const g of snapshot.groups) {
    let byRegion = groups.get(g.service);
    if (!byRegion) groups.set(g.service, (byRegion = new Map<RegionCode, ManagedGroup[]>()));
    appendTo(byRegion, g.region, g);
  }
  const capacity = new Map<string, Map<RegionCode, ServiceCapacity>>();
  for (const c of snapshot.capacity) {
    const byRegion = capacity.get(c.service) ?? new Map<RegionCode, ServiceCapacity>();
    byRegion.set(c.region, c);
    capacity.set(c.service, byRegion);
  }
  const services = [...groups.keys()].sort();
  const trafficNameOf = new Map<string, string>();
  const servicesOfName = new Map<string, string[]>();
  for (const s of services) {
    const names = [...new Set([...groups.get(s)!.values()].flat().filter((g) => g.trafficName).map((g) => g.trafficName!))].sort();
    if (names[0]) {
      trafficNameOf.set(s, names[0]);
      appendTo(servicesOfName, names[0], s);
    }
  }
  const weightsOf = new Map<string, Map<RegionCode, number>>();
  const sharesOf = new Map<string, Map<RegionCode, number>>();
  for (const t of snapshot.traffic) {
    if (!weightsOf.has(t.name)) {
      weightsOf.set(t.name, new Map());
      sharesOf.set(t.name, new Map());
    }
    weightsOf.get(t.name)!.set(t.region, t.weight);
    sharesOf.get(t.name)!.set(t.region, t.share);
  }
  const recordsOf = new Map<string, WeightedRecord[]>();
  for (const r of snapshot.records) appendTo(recordsOf, r.name, r);
  return { snapshot, regions: snapshot.regions, services, groups, capacity, trafficNameOf, servicesOfName, weightsOf, sharesOf, recordsOf };
}

/** Most instances a group may run: MaxSize, raised by the allowed growth. */
export function groupCeiling(group: { maxSize: number }, maxSizeGrowth: number): number {
  return Math.max(group.maxSize, Math.ceil(group.maxSize * maxSizeGrowth - 1e-9));
}
