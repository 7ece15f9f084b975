import type { Problem } from '../errors';
import type { ManagedGroup, ScheduledAction } from '../fleet';
import { keyOfGroup } from '../fleet';
import { nextFiring } from './cron';
import type { FleetIndex } from './fleet-index';
import type { Plan, PlanWarning } from './plan-types';

/**
 * What production groups carry that can undo or stall the plan, checked once it is made:
 * processes suspended on groups that must grow, instance types their zones do not offer,
 * instance refreshes on groups that grow or carry more traffic, and scheduled actions due
 * while the operation runs. Each is a blocker or a warning a newcomer can act on.
 */

/** Processes without which a group that must grow gets no new serving instances. */
const PROCESSES_GROWTH_NEEDS = ['Launch', 'HealthCheck', 'ReplaceUnhealthy'];

/** How long an operation may take, for "due during the operation": the planner takes it as data. */
export interface OperationTiming {
  /** The longest wait for prescaled capacity (LIFEBOAT_CAPACITY_TIMEOUT). */
  capacitySeconds: number;
  /** What one stage takes besides its dwell: Route 53 reaching INSYNC, about a minute. */
  stageSeconds: number;
  /** The dwell after each stage, when configured; the records' TTL otherwise. */
  dwellSeconds?: number;
}

export const DEFAULT_TIMING: OperationTiming = { capacitySeconds: 900, stageSeconds: 60 };

interface CheckOptions {
  refusePendingRefresh?: boolean;
  timing?: OperationTiming;
}

export function checkFleetHazards(index: FleetIndex, plan: Plan, options: CheckOptions = {}): void {
  const byKey = new Map(index.snapshot.groups.map((g) => [keyOfGroup(g), g]));
  const growing = plan.groupChanges.filter((c) => c.to.desiredCapacity > c.from.desiredCapacity).map((c) => byKey.get(keyOfGroup(c))).filter((g): g is ManagedGroup => !!g);
  const loaded = groupsGainingTraffic(index, plan);
  const touched = uniqueGroups([...growing, ...loaded, ...[...plan.groupChanges, ...plan.finalGroupChanges].map((c) => byKey.get(keyOfGroup(c)))]);
  plan.blockers.push(...suspendedProcessProblems(growing));
  checkInstanceTypes(growing, plan);
  checkRefreshes(uniqueGroups([...growing, ...loaded]), plan, options.refusePendingRefresh === true);
  const horizon = expectedSeconds(index, plan, options.timing ?? DEFAULT_TIMING);
  plan.warnings.push(...scheduledActionsDue(touched, plan, Date.parse(index.snapshot.takenAt), horizon));
}

/** The groups of every (service, region) whose share grows: the ones that will carry more traffic. */
export function groupsGainingTraffic(index: FleetIndex, plan: Pick<Plan, 'services'>): ManagedGroup[] {
  return plan.services.flatMap((s) => s.regions.filter((r) => r.targetShare > r.share + 1e-12).flatMap((r) => index.groups.get(s.service)?.get(r.region) ?? []));
}

function uniqueGroups(groups: ReadonlyArray<ManagedGroup | undefined>): ManagedGroup[] {
  return [...new Map(groups.filter((g): g is ManagedGroup => !!g).map((g) => [keyOfGroup(g), g])).values()];
}

const where = (g: ManagedGroup) => `${g.name} (${g.service}, ${g.region}${g.account ? `, account ${g.account}` : ''})`;
const refOf = (g: ManagedGroup) => ({ group: g.name, region: g.region, service: g.service, ...(g.account ? { account: g.account } : {}) });

function suspendedProcessProblems(growing: readonly ManagedGroup[]): Problem[] {
  return growing.flatMap((g) =>
    (g.suspendedProcesses ?? [])
      .filter((p) => PROCESSES_GROWTH_NEEDS.includes(p))
      .map((process) => ({
        code: 'LB_ERR_PROCESS_SUSPENDED' as const,
        message: `${where(g)} must grow, but its ${process} process is suspended: ${process === 'Launch' ? 'it launches no instances' : 'unhealthy instances are never replaced'} until someone resumes it`,
        details: { ...refOf(g), process },
      })),
  );
}

function checkInstanceTypes(growing: readonly ManagedGroup[], plan: Plan): void {
  for (const g of growing) {
    const types = (g.instanceTypes ?? []).filter((t) => t.offeredIn !== undefined);
    if (types.length === 0 || !g.availabilityZones?.length) continue;
    if (types.every((t) => t.offeredIn!.length === 0)) {
      plan.blockers.push({
        code: 'LB_ERR_INSTANCE_TYPE_NOT_OFFERED',
        message: `${where(g)} must grow, but none of its zones (${g.availabilityZones.join(', ')}) offers ${types.map((t) => t.type).join(' or ')}: its new instances would never launch`,
        details: { ...refOf(g), instanceTypes: types.map((t) => t.type), zones: g.availabilityZones },
      });
      continue;
    }
    for (const t of types.filter((t) => t.offeredIn!.length < g.availabilityZones!.length)) {
      const missing = g.availabilityZones.filter((z) => !t.offeredIn!.includes(z));
      plan.warnings.push({
        code: 'INSTANCE_TYPE_NOT_IN_ZONE',
        message: `${where(g)} launches ${t.type}, which ${missing.join(', ')} ${missing.length > 1 ? 'do' : 'does'} not offer: its new instances land in ${t.offeredIn!.join(', ')} only`,
        details: { ...refOf(g), instanceType: t.type, missingZones: missing },
      });
    }
  }
}

function checkRefreshes(groups: readonly ManagedGroup[], plan: Plan, refuse: boolean): void {
  for (const g of groups.filter((g) => g.instanceRefresh)) {
    const r = g.instanceRefresh!;
    const message = `${where(g)} has an instance refresh ${r.status}${r.percentageComplete !== undefined ? ` (${r.percentageComplete}% done)` : ''}: it replaces instances while traffic moves, so capacity in service dips as it goes`;
    const details = { ...refOf(g), instanceRefreshId: r.id, status: r.status };
    if (refuse) plan.blockers.push({ code: 'LB_ERR_INSTANCE_REFRESH', message, details });
    else plan.warnings.push({ code: 'INSTANCE_REFRESH_IN_PROGRESS', message: `${message}; pass refusePendingRefresh: true to refuse instead`, details });
  }
}

/** How long the plan is expected to take, at most: the capacity wait, then each stage's DNS sync and dwell. */
function expectedSeconds(index: FleetIndex, plan: Plan, timing: OperationTiming): number {
  const ttl = Math.max(0, ...plan.names.flatMap((n) => (index.recordsOf.get(n) ?? []).map((r) => r.ttl ?? 0)));
  const capacity = plan.groupChanges.length > 0 ? timing.capacitySeconds : 0;
  return capacity + plan.stages.length * (timing.stageSeconds + (timing.dwellSeconds ?? ttl));
}

function scheduledActionsDue(groups: readonly ManagedGroup[], plan: Plan, from: number, horizonSeconds: number): PlanWarning[] {
  if (!Number.isFinite(from) || horizonSeconds <= 0) return [];
  const until = from + horizonSeconds * 1000;
  const pinned = new Set(plan.groupChanges.map((c) => keyOfGroup(c)));
  const warnings: PlanWarning[] = [];
  for (const g of groups) {
    if (g.suspendedProcesses?.includes('ScheduledActions')) continue;
    for (const a of g.scheduledActions ?? []) {
      const at = firesAt(a, from, until);
      if (at === undefined) continue;
      const sets = [a.minSize !== undefined ? `MinSize ${a.minSize}` : '', a.desiredCapacity !== undefined ? `DesiredCapacity ${a.desiredCapacity}` : '', a.maxSize !== undefined ? `MaxSize ${a.maxSize}` : ''].filter(Boolean).join(', ');
      const guard = pinned.has(keyOfGroup(g))
        ? 'lifeboat suspends ScheduledActions on this group while it is pinned, and resumes it when it lets go'
        : 'lifeboat does not pin this group, so the action will fire: check it leaves enough capacity';
      warnings.push({
        code: 'SCHEDULED_ACTION_DUE',
        message: `scheduled action ${a.name} on ${where(g)} fires at ${new Date(at).toISOString()}${a.timeZone ? ` (${a.timeZone})` : ''}, within the ${Math.round(horizonSeconds / 60)} min this ${OPERATION_NOUN[plan.kind]} may take; it sets ${sets || 'nothing'}: ${guard}`,
        details: { ...refOf(g), action: a.name, at: new Date(at).toISOString(), ...(a.recurrence ? { recurrence: a.recurrence } : {}) },
      });
    }
  }
  return warnings;
}

const OPERATION_NOUN: Record<Plan['kind'], string> = { evacuate: 'evacuation', shift: 'shift', restore: 'restore', scale: 'scaling', reconcile: 'reconcile', 'prepare-switches': 'switch preparation', 'prepare-dark-capacity': 'preparation', 'release-dark-capacity': 'release' };

function firesAt(a: ScheduledAction, from: number, until: number): number | undefined {
  const end = a.endTime ? Math.min(until, Date.parse(a.endTime)) : until;
  const start = a.startTime ? Date.parse(a.startTime) : undefined;
  if (!a.recurrence) return start !== undefined && start >= from && start <= end ? start : undefined;
  try {
    return nextFiring(a.recurrence, Math.max(from, start ?? from), end, a.timeZone);
  } catch {
    return undefined;
  }
}
