import type { FleetSnapshot, ServiceCapacity } from '../core/fleet';
import { formatTable } from './table';
import { percent } from './units';

/** A snapshot's capacity, regions in the snapshot's order, then services by name. */
export function capacityInOrder(snapshot: FleetSnapshot): ServiceCapacity[] {
  const regionOrder = new Map(snapshot.regions.map((r, i) => [r, i]));
  return [...snapshot.capacity].sort((a, b) => (regionOrder.get(a.region) ?? 0) - (regionOrder.get(b.region) ?? 0) || a.service.localeCompare(b.service));
}

/** A service's DNS weight and traffic share in one region, when it has a weighted name. */
export function trafficOf(snapshot: FleetSnapshot, c: Pick<ServiceCapacity, 'trafficName' | 'region'>): { weight: number; share: number } | undefined {
  return snapshot.traffic.find((t) => t.name === c.trafficName && t.region === c.region);
}

/** Per region, per service: instances in service, desired, min and max, and its DNS name's weight and traffic share. */
export function fleetTable(snapshot: FleetSnapshot): string {
  const rows = capacityInOrder(snapshot).map((c) => {
    const traffic = trafficOf(snapshot, c);
    return [c.region, c.service, c.inService, c.desiredCapacity, c.minSize, c.maxSize, c.trafficName ?? '-', traffic ? String(traffic.weight) : '-', traffic ? percent(traffic.share) : '-'];
  });
  if (rows.length === 0) return '  no managed Auto Scaling groups';
  const table = formatTable(['region', 'service', 'in service', 'desired', 'min', 'max', 'traffic name', 'weight', 'share'], rows, '  ', [7, 8]);
  const notes = capacityNotes(snapshot);
  return notes.length ? `${table}\n${notes.map((n) => `  ! ${n}`).join('\n')}` : table;
}

/** What the counts above leave out: impaired instances (not counted in service) and instances held in Pending:Wait, with the hooks that hold them. */
function capacityNotes(snapshot: FleetSnapshot): string[] {
  const notes: string[] = [];
  for (const c of capacityInOrder(snapshot)) {
    if (c.impaired) notes.push(`${c.service}@${c.region}: ${c.impaired} InService instance(s) fail their EC2 status checks (impaired): not counted in service`);
    if (c.pendingWait) notes.push(`${c.service}@${c.region}: ${c.pendingWait} instance(s) held in Pending:Wait by ${c.launchHooks?.length ? `lifecycle hook ${c.launchHooks.join(', ')}` : 'a launch lifecycle hook'}`);
  }
  return notes;
}
