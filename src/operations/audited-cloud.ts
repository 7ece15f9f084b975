import { randomUUID } from 'node:crypto';
import type { CloudPort, GroupPin, GroupProcessUpdate, GroupRef, GroupSizeUpdate, SwitchBoard, WarmPoolUpdate, WeightUpdate } from '../cloud/ports';
import type { AuditLog } from './ports/audit-log';
import { logger } from './logger';
import type { Clock } from './ports/clock';
import { problemOf } from './operation-errors';
import { currentOperation } from './operation-context';

/**
 * The cloud port with every mutation in the audit trail: an "attempted" record before the
 * call and its outcome after, with the operation, the actor and the plan's hash, and a log
 * line (info) for each mutation made. Reads pass straight through.
 */
type Audited = <T>(action: string, regions: string[], inputs: unknown, call: () => Promise<T>) => Promise<T>;

/** Wraps one mutation: an "attempted" audit record, the call, its outcome record and a log line. */
function auditor(audit: AuditLog, clock: Clock, onMutation: () => Promise<unknown>): Audited {
  return async function audited<T>(action: string, regions: string[], inputs: unknown, call: () => Promise<T>): Promise<T> {
    const op = currentOperation();
    const base = {
      actor: op?.actor ?? 'lifeboat',
      action,
      regions,
      inputs,
      mutationId: randomUUID(),
      ...(op ? { operationId: op.operationId } : {}),
      ...(op?.planHash() ? { planHash: op.planHash()! } : {}),
    };
    await audit.append({ ...base, at: clock.now().toISOString(), outcome: 'attempted' });
    // The operation's own region is on the line already (the logger's mixin): these are the call's.
    const line = { action, awsRegions: regions, inputs, mutationId: base.mutationId, actor: base.actor };
    const started = Date.now();
    try {
      // Whatever the outcome, the fleet may have changed: cached reads elsewhere must not be trusted.
      const result = await call().finally(() => onMutation().catch(() => undefined));
      await audit.append({ ...base, at: clock.now().toISOString(), outcome: 'succeeded' });
      logger.info({ ...line, outcome: 'succeeded', durationMs: Date.now() - started }, `AWS ${action.replace(/^aws\./, '')}`);
      return result;
    } catch (e) {
      const p = problemOf(e);
      await audit.append({ ...base, at: clock.now().toISOString(), outcome: 'failed', error: { code: p.code, message: p.message } });
      logger.warn({ ...line, outcome: 'failed', durationMs: Date.now() - started, code: p.code, error: p.message }, `AWS ${action.replace(/^aws\./, '')} failed`);
      throw e;
    }
  };
}

export function auditedCloud(cloud: CloudPort, audit: AuditLog, clock: Clock, onMutation: () => Promise<unknown> = async () => undefined): CloudPort {
  const audited = auditor(audit, clock, onMutation);
  return {
    readFleet: (options) => cloud.readFleet(options),
    probe: (ms) => cloud.probe(ms),
    readGroups: (region, groups, account, options) => cloud.readGroups(region, groups, account, options),
    readScalingProblems: (region, groups, since, account) => cloud.readScalingProblems(region, groups, since, account),
    readInstanceRefreshes: (groups) => cloud.readInstanceRefreshes(groups),
    suspendProcesses: (u: GroupProcessUpdate) => audited('aws.suspendProcesses', [u.region], u, () => cloud.suspendProcesses(u)),
    resumeProcesses: (u: GroupProcessUpdate) => audited('aws.resumeProcesses', [u.region], u, () => cloud.resumeProcesses(u)),
    setWarmPool: (u: WarmPoolUpdate) => audited('aws.setWarmPool', [u.region], u, () => cloud.setWarmPool(u)),
    deleteWarmPool: (g: GroupRef) => audited('aws.deleteWarmPool', [g.region], g, () => cloud.deleteWarmPool(g)),
    changeStatus: (id) => cloud.changeStatus(id),
    readWeights: (records) => cloud.readWeights(records),
    setGroupSize: (u: GroupSizeUpdate) => audited('aws.setGroupSize', [u.region], u, () => cloud.setGroupSize(u)),
    recordPins: (pins: readonly GroupPin[]) => audited('aws.recordPins', [...new Set(pins.map((p) => p.region))], pins, () => cloud.recordPins(pins)),
    erasePins: (groups: readonly GroupRef[]) => audited('aws.erasePins', [...new Set(groups.map((g) => g.region))], groups, () => cloud.erasePins(groups)),
    setWeights: (updates: readonly WeightUpdate[]) =>
      audited(
        'aws.setWeights',
        [...new Set(updates.map((u) => u.record.region))],
        updates.map((u) => ({ ...(u.record.account !== undefined ? { account: u.record.account } : {}), zoneId: u.record.zoneId, name: u.record.name, type: u.record.type, setIdentifier: u.record.setIdentifier, weight: u.weight })),
        () => cloud.setWeights(updates),
      ),
  };
}

/** The switch board with every mutation in the audit trail; reads pass straight through. */
export function auditedSwitchBoard(board: SwitchBoard, audit: AuditLog, clock: Clock, onMutation: () => Promise<unknown> = async () => undefined): SwitchBoard {
  const audited = auditor(audit, clock, onMutation);
  return {
    controlRegions: board.controlRegions,
    readSwitches: (designs) => board.readSwitches(designs),
    putSwitchAlarm: (d) => audited('aws.putSwitchAlarm', [d.alarm.region], d, () => board.putSwitchAlarm(d)),
    ensureSwitchHealthCheck: (d) => audited('aws.ensureSwitchHealthCheck', ['us-east-1'], d, () => board.ensureSwitchHealthCheck(d)),
    attachHealthChecks: (attachments) =>
      audited(
        'aws.attachHealthChecks',
        [...new Set(attachments.map((a) => a.record.region))],
        attachments.map((a) => ({ zoneId: a.record.zoneId, name: a.record.name, type: a.record.type, setIdentifier: a.record.setIdentifier, healthCheckId: a.healthCheckId })),
        () => board.attachHealthChecks(attachments),
      ),
    turnSwitch: (d, position, reason) => audited('aws.turnSwitch', [d.alarm.region], { region: d.region, alarm: d.alarm, position, reason }, () => board.turnSwitch(d, position, reason)),
  };
}
