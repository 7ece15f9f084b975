import type { FleetSnapshot, RegionCode } from '../core/fleet';
import type { ReconcileIntent } from '../core/intents';
import type { PinRecord } from '../core/pins';
import { pinOf } from '../core/pins';
import type { GroupSize } from '../core/planner/plan-types';
import type { OperationDeps } from './deps';

/**
 * Work lifeboat left unfinished on AWS and has no record of: groups that carry its pin
 * record (core/pins.ts) for an operation Redis no longer knows (it lost its keys, or the
 * record expired), and the weights of their traffic names moved away from what that record
 * says they were. GET /v1/fleet reports it; `reconcile` returns the fleet to it.
 */
export interface UnfinishedWork {
  operationId: string;
  groups: Array<{ region: RegionCode; group: string; service: string; pinnedFrom: GroupSize; now: GroupSize }>;
  /** Names whose weights now differ from those recorded before the move. */
  weights: Array<{ name: string; before: Record<RegionCode, number>; now: Record<RegionCode, number> }>;
  message: string;
}

type Deps = Pick<OperationDeps, 'store' | 'settings'>;

/** Pins of operations lifeboat has no record of: neither the operation nor an evacuation it made. */
export async function findUnfinished(snapshot: FleetSnapshot, deps: Deps): Promise<UnfinishedWork[]> {
  const pinned = snapshot.groups.map((g) => ({ g, pin: pinOf(g.tags) })).filter((p): p is { g: (typeof snapshot.groups)[number]; pin: PinRecord } => !!p.pin);
  if (pinned.length === 0) return [];
  const ids = [...new Set(pinned.map((p) => p.pin.operationId))];
  const records = await Promise.all(deps.settings.LIFEBOAT_REGIONS.map((r) => deps.store.evacuationOf(r)));
  const evacuatedBy = new Set(records.filter((r) => !!r).map((r) => r!.operationId));
  const known = await Promise.all(ids.map(async (id) => evacuatedBy.has(id) || (await deps.store.knows(id))));
  const unknown = ids.filter((_, i) => !known[i]);
  return unknown.map((operationId) => {
    const mine = pinned.filter((p) => p.pin.operationId === operationId);
    const groups = mine.map(({ g, pin }) => ({
      region: g.region,
      group: g.name,
      service: g.service,
      pinnedFrom: pin.from,
      now: { minSize: g.minSize, desiredCapacity: g.desiredCapacity, maxSize: g.maxSize },
    }));
    const weights = movedWeights(snapshot, mine);
    const message =
      `${groups.length} group(s) pinned by ${operationId}, which lifeboat has no record of` +
      (weights.length ? `, and the weights of ${weights.map((w) => w.name).join(', ')} moved from what it recorded` : '') +
      `: POST /v1/operations {"kind": "reconcile", "dryRun": true} shows how lifeboat would return them`;
    return { operationId, groups, weights, message };
  });
}

/** The names of these pinned groups whose weights now differ from those their pins recorded. */
function movedWeights(snapshot: FleetSnapshot, pins: ReadonlyArray<{ g: FleetSnapshot['groups'][number]; pin: PinRecord }>): UnfinishedWork['weights'] {
  const before = new Map<string, Record<RegionCode, number>>();
  for (const { g, pin } of pins) if (g.trafficName && pin.weightsBefore && !before.has(g.trafficName)) before.set(g.trafficName, pin.weightsBefore);
  const moved: UnfinishedWork['weights'] = [];
  for (const [name, was] of before) {
    const now = Object.fromEntries(snapshot.traffic.filter((t) => t.name === name).map((t) => [t.region, t.weight]));
    if (Object.entries(was).some(([r, w]) => now[r] !== undefined && now[r] !== w)) moved.push({ name, before: was, now });
  }
  return moved;
}

/**
 * What a reconcile returns the fleet to: the weights and group bounds it was given, and for
 * what it was not given, what the pin records of unfinished work hold (weights before the
 * move, bounds before the pin).
 */
export async function reconcileTarget(
  request: Omit<ReconcileIntent, 'target'>,
  snapshot: FleetSnapshot,
  deps: Deps,
): Promise<{ target: ReconcileIntent['target']; unfinished: UnfinishedWork[] }> {
  const unfinished = await findUnfinished(snapshot, deps);
  const recorded: Record<string, Record<RegionCode, number>> = {};
  for (const u of unfinished) for (const w of u.weights) recorded[w.name] ??= w.before;
  const weights = request.weights ?? recorded;
  const given = new Set((request.groups ?? []).map((g) => `${g.region}\u0000${g.group}`));
  const bounds = [
    ...(request.groups ?? []),
    ...unfinished
      .flatMap((u) => u.groups)
      .filter((g) => !given.has(`${g.region}\u0000${g.group}`))
      .map((g) => ({ region: g.region, group: g.group, minSize: g.pinnedFrom.minSize, maxSize: g.pinnedFrom.maxSize })),
  ];
  const ops = unfinished.map((u) => u.operationId);
  const source = [
    request.weights ? 'the weights given' : ops.length ? `the weights recorded by ${ops.join(', ')}` : undefined,
    request.groups ? 'the group bounds given' : undefined,
    ops.length ? `the bounds pinned groups had before ${ops.join(', ')}` : undefined,
  ]
    .filter(Boolean)
    .join(' and ');
  return { target: { weights, bounds, source: source || 'the fleet as it is (nothing unfinished is on AWS)' }, unfinished };
}
