import type { FleetSnapshot } from '../core/fleet';
import { assembleSnapshot } from '../core/snapshot';
import type { FleetReader } from '../cloud/ports';

/** The fleet now: read through the cloud port, interpreted by the core. */
export async function takeSnapshot(cloud: FleetReader): Promise<FleetSnapshot> {
  return assembleSnapshot(await cloud.readFleet());
}
