import type { FleetSnapshot } from '../../src/core/fleet';
import type { RegionSpec, ServiceSpec } from './fleet-fixture';
import { fleet } from './fleet-fixture';

export const EAST = 'us-east-1';
export const WEST = 'us-west-2';
export const EU = 'eu-west-1';
export const API_NAME = 'api.example.com';

/** api with the given groups per region, behind api.example.com. */
export const api = (regions: Record<string, RegionSpec>): ServiceSpec => ({ name: 'api', dns: API_NAME, regions });

/** docs' worked example, before the evacuation: api ran {MinSize 2, Desired 10, MaxSize 20} with weight 100 in each of three regions. */
export const fleetBeforeEvacuation = (): FleetSnapshot =>
  fleet([
    api({
      [EAST]: { desired: 10, min: 2, max: 20, weight: 100 },
      [WEST]: { desired: 10, min: 2, max: 20, weight: 100 },
      [EU]: { desired: 10, min: 2, max: 20, weight: 100 },
    }),
  ]);
