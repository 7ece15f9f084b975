import { LifeboatError } from '../core/errors';
import type { FleetReading, FleetSnapshot, SnapshotWarning } from '../core/fleet';
import { assembleSnapshot } from '../core/snapshot';
import type { FleetReader } from '../cloud/ports';
import type { Clock } from './ports/clock';
import type { LastGoodReadings } from './ports/last-good-readings';

/**
 * How the plan path reads the fleet: each source (a region's Auto Scaling, Route 53) within
 * a short deadline, and a source that cannot be read from its last good reading.
 */
export interface PlanReadPolicy {
  deadlineMs: number;
  lastGood: LastGoodReadings;
  clock: Clock;
}

/**
 * The fleet now: read through the cloud port, interpreted by the core. Without a policy, as
 * the cloud reads it. With one (the plan path), a region that does not answer in time is
 * taken from its last good reading, with a REGION_FROM_SNAPSHOT warning that gives its age;
 * a region never read well stays REGION_UNREADABLE (the planner blocks on it). Route 53 the
 * same way, except that with no earlier reading its failure is the read's.
 */
export async function takeSnapshot(cloud: FleetReader, policy?: PlanReadPolicy): Promise<FleetSnapshot> {
  if (!policy) return assembleSnapshot(await cloud.readFleet());
  const reading = await cloud.readFleet({ deadlineMs: policy.deadlineMs, route53Failure: 'warn' });
  return assembleSnapshot(await withLastGood(reading, policy));
}

async function withLastGood(reading: FleetReading, policy: PlanReadPolicy): Promise<FleetReading> {
  const { lastGood } = policy;
  const unreadable = new Set((reading.warnings ?? []).filter((w) => w.code === 'REGION_UNREADABLE').map((w) => w.region));
  const route53Failed = (reading.warnings ?? []).some((w) => w.code === 'ROUTE53_UNREADABLE');
  const saves: Array<Promise<void>> = reading.regions
    .filter((r) => !unreadable.has(r))
    .map((r) =>
      lastGood.saveGroups(
        r,
        reading.groups.filter((g) => g.region === r),
        reading.takenAt,
      ),
    );
  if (!route53Failed) saves.push(lastGood.saveZones(reading.zones, reading.takenAt));
  // Keeping the good readings is worth a round trip, but never worth failing a plan over.
  await Promise.all(saves.map((s) => s.catch(() => undefined)));

  const warnings: SnapshotWarning[] = [];
  const groups = [...reading.groups];
  let zones = reading.zones;
  for (const w of reading.warnings ?? []) {
    if (w.code === 'REGION_UNREADABLE' && w.region) {
      const earlier = await lastGood.groupsOf(w.region).catch(() => undefined);
      if (!earlier) {
        warnings.push(w);
        continue;
      }
      groups.push(...earlier.value);
      warnings.push(fromEarlier('REGION_FROM_SNAPSHOT', w, earlier.takenAt, policy.clock, `its groups are those read at ${earlier.takenAt}`));
    } else if (w.code === 'ROUTE53_UNREADABLE') {
      const earlier = await lastGood.zones().catch(() => undefined);
      if (!earlier) throw w.problem ? LifeboatError.fromProblem(w.problem) : new LifeboatError('LB_ERR_AWS_UNAVAILABLE', w.message, { service: 'route53' });
      zones = earlier.value;
      warnings.push(fromEarlier('ROUTE53_FROM_SNAPSHOT', w, earlier.takenAt, policy.clock, `the weights are those read at ${earlier.takenAt}`));
    } else {
      warnings.push(w);
    }
  }
  return { ...reading, groups, zones, ...(warnings.length > 0 ? { warnings } : {}) };
}

function fromEarlier(code: 'REGION_FROM_SNAPSHOT' | 'ROUTE53_FROM_SNAPSHOT', failure: SnapshotWarning, takenAt: string, clock: Clock, what: string): SnapshotWarning {
  const ageSeconds = Math.max(0, Math.round((clock.now().getTime() - Date.parse(takenAt)) / 1000));
  const source = code === 'ROUTE53_FROM_SNAPSHOT' ? 'Route 53' : failure.region;
  return {
    code,
    ...(failure.region ? { region: failure.region } : {}),
    message: `${source} could not be read now (${failure.message}); ${what}, ${ageSeconds} s ago`,
    takenAt,
    ageSeconds,
  };
}
