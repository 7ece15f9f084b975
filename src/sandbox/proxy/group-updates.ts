import type { InstanceMember } from './auto-scaling-xml';
import type { CapacityFaults, FailedLaunch } from './capacity-faults';
import type { InstanceLedger } from './launch-delays';

/**
 * What a group update did, judged from moto's instance lists before and after it: moto
 * creates new instances at once and InService, so the proxy decides here which of them are
 * launching (shown Pending for a while) and which AWS could not launch (missing, with a
 * failed scaling activity). On a scale-in, launches that never happened are cancelled first.
 */

interface GroupUpdate {
  region: string;
  group: string;
  before: readonly InstanceMember[];
  after: readonly InstanceMember[];
  now: number;
  /** How long a launch takes to reach InService (launch + warm-up). */
  readyAfterMs: number;
  /** DesiredCapacity as the request asked, if it did. */
  desiredCapacity?: number;
  /** Warm instances the group's pool holds now: that many newcomers come InService after `readyAfterMs` of the warm pool. */
  warm?: { count: number; readyAfterMs: number };
}

interface GroupUpdateOutcome {
  launching: string[];
  /** Of those launching, the ones taken from the warm pool. */
  fromWarmPool: string[];
  missing: string[];
  /** Missing instances that took the place of shown instances moto terminated. */
  cancelled: string[];
  failures: FailedLaunch[];
}

export function settleGroupUpdate(update: GroupUpdate, ledger: InstanceLedger, capacity: CapacityFaults): GroupUpdateOutcome {
  const beforeIds = new Set(update.before.map((i) => i.instanceId));
  const afterIds = new Set(update.after.map((i) => i.instanceId));
  const outcome: GroupUpdateOutcome = { launching: [], fromWarmPool: [], missing: [], cancelled: [], failures: [] };

  // Scale-in: each shown instance moto terminated is replaced by a missing one moto kept.
  const missingSurvivors = update.after.filter((i) => beforeIds.has(i.instanceId) && ledger.isMissing(i.instanceId));
  for (const removed of update.before.filter((i) => !afterIds.has(i.instanceId))) {
    if (ledger.isMissing(removed.instanceId)) {
      ledger.forget(removed.instanceId);
      continue;
    }
    const survivor = missingSurvivors.shift();
    if (survivor) {
      ledger.inherit(survivor.instanceId, removed.instanceId);
      outcome.cancelled.push(survivor.instanceId);
    } else {
      ledger.forget(removed.instanceId);
    }
  }

  // Scale-out: the warm pool's instances first (already launched: no capacity to find), then
  // newcomers launch while the region and zone have capacity, the rest go missing.
  const failedByZone = new Map<string, FailedLaunch>();
  const shownBefore = update.before.filter((i) => !ledger.isMissing(i.instanceId)).length;
  let warmLeft = update.warm?.count ?? 0;
  for (const newcomer of update.after.filter((i) => !beforeIds.has(i.instanceId))) {
    if (warmLeft > 0) {
      warmLeft -= 1;
      ledger.markLaunching(newcomer.instanceId, update.now + update.warm!.readyAfterMs);
      outcome.launching.push(newcomer.instanceId);
      outcome.fromWarmPool.push(newcomer.instanceId);
      continue;
    }
    if (capacity.tryDeliver(update.region, newcomer.availabilityZone)) {
      ledger.markLaunching(newcomer.instanceId, update.now + update.readyAfterMs);
      outcome.launching.push(newcomer.instanceId);
      continue;
    }
    ledger.markMissing({
      instanceId: newcomer.instanceId,
      region: update.region,
      group: update.group,
      ...(newcomer.availabilityZone !== undefined ? { availabilityZone: newcomer.availabilityZone } : {}),
      ...(newcomer.instanceType !== undefined ? { instanceType: newcomer.instanceType } : {}),
      since: update.now,
    });
    outcome.missing.push(newcomer.instanceId);
    const zone = newcomer.availabilityZone ?? `${update.region}a`;
    const failure = failedByZone.get(zone) ?? {
      region: update.region,
      group: update.group,
      availabilityZone: zone,
      instanceType: newcomer.instanceType ?? 'unknown',
      count: 0,
      at: update.now,
      capacityBefore: shownBefore,
      ...(update.desiredCapacity !== undefined ? { desiredCapacity: update.desiredCapacity } : {}),
    };
    failure.count += 1;
    failedByZone.set(zone, failure);
  }
  for (const failure of failedByZone.values()) {
    capacity.recordFailure(failure);
    outcome.failures.push(failure);
  }
  return outcome;
}
