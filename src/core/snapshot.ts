import type {
  AutoScalingGroupReading,
  FleetReading,
  FleetSnapshot,
  ManagedGroup,
  RecordSetReading,
  RegionCode,
  ServiceCapacity,
  SnapshotWarning,
  TrafficShare,
  WeightedRecord,
} from './fleet';
import { TAG_CAPACITY_PER_INSTANCE, TAG_SERVICE, TAG_TRAFFIC, recordKey } from './fleet';
import { assembleLoad } from './load/assemble-load';
import { appendTo } from './maps';

/**
 * Route 53 returns names fully qualified, lower-cased, with '*' escaped as \052; tags are
 * written by humans. Both are compared in this form: lower case, no trailing dot.
 */
export function normalizeDnsName(name: string): string {
  return name
    .trim()
    .replace(/\\(\d{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)))
    .replace(/\.$/, '')
    .toLowerCase();
}

/** recordKey for a record set named as AWS spells it: the name normalized as the snapshot's are. */
export function recordSetKey(r: { zoneId: string; name: string; type: string; setIdentifier: string }): string {
  return recordKey({ ...r, name: normalizeDnsName(r.name) });
}

/** Preferred record type when a name has weighted records of several types. */
const TYPE_ORDER = ['A', 'AAAA', 'CNAME'];
function typeRank(type: string): number {
  const i = TYPE_ORDER.indexOf(type);
  return i === -1 ? TYPE_ORDER.length : i;
}

/**
 * Interpret a raw reading through the fleet conventions: managed groups, weighted records
 * per managed region, capacity per (service, region) and traffic share per (name, region).
 * Anything that does not follow the conventions becomes a warning; nothing is dropped silently.
 */
export function assembleSnapshot(reading: FleetReading): FleetSnapshot {
  const warnings: SnapshotWarning[] = [...(reading.warnings ?? [])];
  const regionOrder = new Map(reading.regions.map((r, i) => [r, i]));
  const byRegionThenName = <T extends { region: RegionCode }>(key: (x: T) => string) => (a: T, b: T) =>
    (regionOrder.get(a.region) ?? 1e9) - (regionOrder.get(b.region) ?? 1e9) || key(a).localeCompare(key(b));

  const groups = reading.groups
    .map((g) => interpretGroup(g, warnings))
    .filter((g): g is ManagedGroup => g !== undefined)
    .sort(byRegionThenName((g) => g.name));

  const records = collectWeightedRecords(reading, warnings);
  const traffic = computeTrafficShares(records, reading.regions, warnings);
  const capacity = computeServiceCapacity(groups, warnings).sort(byRegionThenName((c) => c.service));

  checkTrafficNames(groups, capacity, traffic, reading.regions, warnings);
  const load = reading.load ? assembleLoad(reading.load, reading.regions, groups, capacity, warnings) : undefined;

  return {
    takenAt: reading.takenAt,
    regions: [...reading.regions],
    groups,
    records,
    capacity,
    traffic,
    warnings,
    ...(load ? { load } : {}),
  };
}

/** Instances that really serve: InService and Healthy, and not impaired by their EC2 status checks. */
export function countInService(instances: ReadonlyArray<{ lifecycleState: string; healthStatus: string; impaired?: boolean }>): number {
  return instances.filter((i) => i.lifecycleState === 'InService' && i.healthStatus === 'Healthy' && !i.impaired).length;
}

/** InService instances whose EC2 status checks are impaired: Auto Scaling may still call them healthy, but they serve nothing. */
export function countImpaired(instances: ReadonlyArray<{ lifecycleState: string; impaired?: boolean }>): number {
  return instances.filter((i) => i.lifecycleState === 'InService' && i.impaired).length;
}

/** Instances held by a launch lifecycle hook: pending, not serving. */
export function countPendingWait(instances: ReadonlyArray<{ lifecycleState: string }>): number {
  return instances.filter((i) => i.lifecycleState === 'Pending:Wait').length;
}

function interpretGroup(g: AutoScalingGroupReading, warnings: SnapshotWarning[]): ManagedGroup | undefined {
  const service = g.tags[TAG_SERVICE]?.trim();
  if (!service) {
    warnings.push({
      code: 'TAG_INVALID',
      region: g.region,
      group: g.name,
      message: `Auto Scaling group ${g.name} in ${g.region} has an empty ${TAG_SERVICE} tag; it is not managed until the tag names a service.`,
    });
    return undefined;
  }
  let capacityPerInstance: number | undefined;
  const cpiTag = g.tags[TAG_CAPACITY_PER_INSTANCE];
  if (cpiTag !== undefined) {
    const parsed = Number(cpiTag);
    if (cpiTag.trim() !== '' && Number.isFinite(parsed) && parsed > 0) {
      capacityPerInstance = parsed;
    } else {
      warnings.push({
        code: 'TAG_INVALID',
        region: g.region,
        group: g.name,
        service,
        message: `Auto Scaling group ${g.name} in ${g.region}: ${TAG_CAPACITY_PER_INSTANCE}="${cpiTag}" is not a positive number of requests per second; ignored.`,
      });
    }
  }
  const trafficTag = g.tags[TAG_TRAFFIC];
  const trafficName = trafficTag && trafficTag.trim() !== '' ? normalizeDnsName(trafficTag) : undefined;
  const inService = countInService(g.instances);
  const pending = g.instances.filter((i) => i.lifecycleState.startsWith('Pending')).length;
  const impaired = countImpaired(g.instances);
  const { region: _region, name: _name, minSize: _min, maxSize: _max, desiredCapacity: _desired, tags: _tags, instances: _instances, ...details } = g;
  return {
    ...details,
    region: g.region,
    name: g.name,
    service,
    minSize: g.minSize,
    maxSize: g.maxSize,
    desiredCapacity: g.desiredCapacity,
    inService,
    pending,
    ...(impaired > 0 ? { impaired } : {}),
    instances: g.instances,
    ...(capacityPerInstance !== undefined ? { capacityPerInstance } : {}),
    ...(trafficName !== undefined ? { trafficName } : {}),
    tags: g.tags,
  };
}

function collectWeightedRecords(reading: FleetReading, warnings: SnapshotWarning[]): WeightedRecord[] {
  const managed = new Set(reading.regions);
  const referencedNames = new Set(
    reading.groups.map((g) => g.tags[TAG_TRAFFIC]).filter((t): t is string => !!t && t.trim() !== '').map(normalizeDnsName),
  );
  const all: Array<RecordSetReading & { normalizedName: string }> = reading.zones.flatMap((z) =>
    z.records.map((r) => ({ ...r, normalizedName: normalizeDnsName(r.name) })),
  );
  const namesWithManagedWeights = new Set(
    all.filter((r) => r.weight !== undefined && r.setIdentifier && managed.has(r.setIdentifier)).map((r) => r.normalizedName),
  );

  const records: WeightedRecord[] = [];
  for (const r of all) {
    const isWeighted = r.weight !== undefined && r.setIdentifier !== undefined;
    const relevant = referencedNames.has(r.normalizedName) || namesWithManagedWeights.has(r.normalizedName);
    if (!isWeighted) {
      if (relevant) {
        warnings.push({
          code: 'RECORD_NOT_WEIGHTED',
          zoneId: r.zoneId,
          name: r.normalizedName,
          message: `${r.type} record ${r.normalizedName} in zone ${r.zoneName}${r.setIdentifier ? ` (set ${r.setIdentifier})` : ''} is not a weighted record; lifeboat cannot steer it.`,
        });
      }
      continue;
    }
    if (!managed.has(r.setIdentifier!)) {
      warnings.push({
        code: 'RECORD_UNKNOWN_SET_IDENTIFIER',
        zoneId: r.zoneId,
        name: r.normalizedName,
        message: `Weighted ${r.type} record ${r.normalizedName} in zone ${r.zoneName} has SetIdentifier "${r.setIdentifier}", which is not a managed region (LIFEBOAT_REGIONS); its weight (${r.weight}) is left alone and not counted in traffic shares.`,
      });
      continue;
    }
    records.push({
      ...(r.account !== undefined ? { account: r.account } : {}),
      zoneId: r.zoneId,
      zoneName: r.zoneName,
      name: r.normalizedName,
      type: r.type,
      region: r.setIdentifier!,
      setIdentifier: r.setIdentifier!,
      weight: r.weight!,
      ...(r.ttl !== undefined ? { ttl: r.ttl } : {}),
      ...(r.resourceRecords ? { resourceRecords: r.resourceRecords } : {}),
      ...(r.aliasTarget ? { aliasTarget: r.aliasTarget } : {}),
      ...(r.healthCheckId ? { healthCheckId: r.healthCheckId } : {}),
    });
  }
  const regionIndex = new Map(reading.regions.map((r, i) => [r, i]));
  return records.sort(
    (a, b) =>
      a.name.localeCompare(b.name) ||
      typeRank(a.type) - typeRank(b.type) ||
      a.type.localeCompare(b.type) ||
      (regionIndex.get(a.region) ?? 0) - (regionIndex.get(b.region) ?? 0),
  );
}

/**
 * Share of a name's traffic per region: weight / sum of weights. When every weight is 0,
 * Route 53 answers with all records at equal probability, and so does this.
 */
export function sharesFromWeights(weights: ReadonlyMap<RegionCode, number>): Map<RegionCode, number> {
  const total = [...weights.values()].reduce((a, b) => a + b, 0);
  const shares = new Map<RegionCode, number>();
  for (const [region, w] of weights) shares.set(region, total > 0 ? w / total : 1 / weights.size);
  return shares;
}

function computeTrafficShares(records: WeightedRecord[], regions: RegionCode[], warnings: SnapshotWarning[]): TrafficShare[] {
  const byName = new Map<string, WeightedRecord[]>();
  for (const r of records) appendTo(byName, r.name, r);

  const traffic: TrafficShare[] = [];
  for (const [name, recs] of byName) {
    const types = [...new Set(recs.map((r) => r.type))];
    const weightsOf = (type: string) => new Map(recs.filter((r) => r.type === type).map((r) => [r.region, r.weight]));
    const primary = types[0]!;
    const weights = weightsOf(primary);
    for (const other of types.slice(1)) {
      const w = weightsOf(other);
      const same = w.size === weights.size && [...w].every(([region, weight]) => weights.get(region) === weight);
      if (!same) {
        warnings.push({
          code: 'RECORD_TYPES_DISAGREE',
          name,
          message: `${name}: weighted ${other} records disagree with the ${primary} records; shares follow ${primary}, and a shift sets both.`,
        });
      }
    }
    if ([...weights.values()].every((w) => w === 0)) {
      warnings.push({
        code: 'WEIGHTS_ALL_ZERO',
        name,
        message: `${name}: every weight is 0, so Route 53 answers with all regions equally.`,
      });
    }
    const shares = sharesFromWeights(weights);
    for (const region of regions) {
      if (!weights.has(region)) continue;
      traffic.push({ name, region, weight: weights.get(region)!, share: shares.get(region)! });
    }
  }
  return traffic;
}

function computeServiceCapacity(groups: ManagedGroup[], warnings: SnapshotWarning[]): ServiceCapacity[] {
  const byKey = new Map<string, ManagedGroup[]>();
  for (const g of groups) appendTo(byKey, `${g.service}\u0000${g.region}`, g);
  const result: ServiceCapacity[] = [];
  for (const gs of byKey.values()) {
    const { service, region } = gs[0]!;
    const sum = (f: (g: ManagedGroup) => number) => gs.reduce((a, g) => a + f(g), 0);
    const cpis = gs.map((g) => g.capacityPerInstance).filter((c): c is number => c !== undefined);
    let capacityPerInstance: number | undefined;
    if (cpis.length > 0) {
      if (new Set(cpis).size === 1 && cpis.length === gs.length) {
        capacityPerInstance = cpis[0];
      } else {
        // Mixed instance types: what one average instance serves, weighted by how many each group runs.
        const known = gs.filter((g) => g.capacityPerInstance !== undefined);
        const n = known.reduce((a, g) => a + Math.max(g.desiredCapacity, 1), 0);
        capacityPerInstance = known.reduce((a, g) => a + g.capacityPerInstance! * Math.max(g.desiredCapacity, 1), 0) / n;
        warnings.push({
          code: 'CAPACITY_PER_INSTANCE_INCONSISTENT',
          service,
          region,
          message: `${service} in ${region}: its groups disagree on ${TAG_CAPACITY_PER_INSTANCE} (${gs.map((g) => `${g.name}=${g.capacityPerInstance ?? 'unset'}`).join(', ')}); using the average ${capacityPerInstance.toFixed(2)} weighted by desired capacity.`,
        });
      }
    }
    const trafficNames = trafficNamesOf(gs);
    const impaired = sum((g) => g.impaired ?? 0);
    const pendingWait = sum((g) => countPendingWait(g.instances));
    const launchHooks = [...new Set(gs.filter((g) => countPendingWait(g.instances) > 0).flatMap((g) => g.launchHooks ?? []))].sort();
    result.push({
      service,
      region,
      groups: gs.map((g) => g.name),
      minSize: sum((g) => g.minSize),
      maxSize: sum((g) => g.maxSize),
      desiredCapacity: sum((g) => g.desiredCapacity),
      inService: sum((g) => g.inService),
      pending: sum((g) => g.pending),
      ...(impaired > 0 ? { impaired } : {}),
      ...(pendingWait > 0 ? { pendingWait, launchHooks } : {}),
      ...(capacityPerInstance !== undefined ? { capacityPerInstance } : {}),
      ...(trafficNames[0] !== undefined ? { trafficName: trafficNames[0] } : {}),
    });
  }
  return result;
}

/**
 * Whether each service's groups name its traffic the way lifeboat can steer it: one
 * lifeboat:traffic name on every group, with a weighted record for every region the
 * service runs in. Each way it falls short is a warning, service by service.
 */
function checkTrafficNames(
  groups: ManagedGroup[],
  capacity: ServiceCapacity[],
  traffic: TrafficShare[],
  regions: RegionCode[],
  warnings: SnapshotWarning[],
): void {
  const records: RecordedNames = {
    names: new Set(traffic.map((t) => t.name)),
    regions: new Set(traffic.map((t) => nameInRegion(t.name, t.region))),
  };
  const groupsOf = new Map<string, ManagedGroup[]>();
  for (const g of groups) appendTo(groupsOf, g.service, g);
  const services = [...new Set(capacity.map((c) => c.service))].sort();
  for (const service of services) checkServiceTrafficName(service, groupsOf.get(service) ?? [], records, regions, warnings);
}

/** The names that have weighted records, and the (name, region) pairs that do. */
interface RecordedNames {
  names: Set<string>;
  regions: Set<string>;
}

const nameInRegion = (name: string, region: RegionCode) => `${name}\u0000${region}`;

/** The traffic names a service's groups carry, sorted: the first is the one used. */
function trafficNamesOf(groups: readonly ManagedGroup[]): string[] {
  return [...new Set(groups.map((g) => g.trafficName).filter((t): t is string => !!t))].sort();
}

/**
 * One service: no name at all (its load is taken to follow its capacity), several names
 * (the first wins), groups without the tag, a name without records, and regions the name
 * has no record for.
 */
function checkServiceTrafficName(service: string, gs: readonly ManagedGroup[], records: RecordedNames, regions: RegionCode[], warnings: SnapshotWarning[]): void {
  const names = trafficNamesOf(gs);
  if (names.length === 0) {
    warnings.push({
      code: 'SERVICE_WITHOUT_TRAFFIC',
      service,
      message: `${service}: no group carries ${TAG_TRAFFIC}; its load is assumed to follow its capacity, and it moves with the regions' traffic.`,
    });
    return;
  }
  if (names.length > 1) {
    warnings.push({
      code: 'TRAFFIC_NAME_INCONSISTENT',
      service,
      message: `${service}: its groups name different traffic records (${names.join(', ')}); using ${names[0]}.`,
    });
  }
  for (const g of gs.filter((g) => !g.trafficName)) {
    warnings.push({
      code: 'TRAFFIC_NAME_MISSING',
      service,
      region: g.region,
      group: g.name,
      message: `Auto Scaling group ${g.name} in ${g.region} has no ${TAG_TRAFFIC} tag while other groups of ${service} have one; it is sized with ${service}.`,
    });
  }
  const name = names[0]!;
  if (!records.names.has(name)) {
    warnings.push({
      code: 'TRAFFIC_NAME_UNKNOWN',
      service,
      name,
      message: `${service}: ${TAG_TRAFFIC}=${name}, but no managed hosted zone has weighted records for it with a managed region as SetIdentifier.`,
    });
    return;
  }
  warnings.push(...regionsWithoutRecord(service, name, gs, records, regions));
}

/** A region where the service runs but its name has no record gets none of its traffic: worth saying. */
function regionsWithoutRecord(service: string, name: string, gs: readonly ManagedGroup[], records: RecordedNames, regions: RegionCode[]): SnapshotWarning[] {
  return regions
    .filter((region) => gs.some((g) => g.region === region) && !records.regions.has(nameInRegion(name, region)))
    .map((region) => ({
      code: 'RECORD_REGION_MISSING',
      service,
      region,
      name,
      message: `${service} runs in ${region}, but ${name} has no weighted record with SetIdentifier ${region}; that region gets none of its traffic.`,
    }));
}
