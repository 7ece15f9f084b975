import type { SwitchDesign } from '../core/switches';
import type { Redis } from 'ioredis';
import type { RegionCode } from '../core/fleet';
import type { CancelRequest } from '../operations/operation-types';
import type { EvacuationRecord, FollowUp, IdempotencyClaim, OperationSnapshot, OperationStore, SuspensionRecord } from '../operations/ports/operation-store';

/**
 * What operations keep in Redis besides their jobs: idempotency keys, the record of each
 * evacuated region (what a restore goes back to) and cancel requests (which the worker
 * reads between steps, so they never race with its checkpoints).
 */
export class RedisOperationStore implements OperationStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly idempotencyTtlSeconds: number,
  ) {}

  private idemKey(actor: string, key: string) {
    return `${this.prefix}:idempotency:${actor}:${key}`;
  }

  /** Claim an Idempotency-Key for a new operation, or learn which operation already has it. */
  async claimIdempotencyKey(actor: string, key: string, bodyHash: string, operationId: string): Promise<IdempotencyClaim> {
    const value = JSON.stringify({ operationId, bodyHash });
    const ok = await this.redis.set(this.idemKey(actor, key), value, 'EX', this.idempotencyTtlSeconds, 'NX');
    if (ok === 'OK') return { claimed: true };
    const existing = await this.redis.get(this.idemKey(actor, key));
    if (!existing) return this.claimIdempotencyKey(actor, key, bodyHash, operationId);
    return { claimed: false, ...(JSON.parse(existing) as { operationId: string; bodyHash: string }) };
  }

  /** Forget a claim whose operation was refused before it existed, so the request can be sent again. */
  async releaseIdempotencyKey(actor: string, key: string, operationId: string): Promise<void> {
    const existing = await this.redis.get(this.idemKey(actor, key));
    if (existing && (JSON.parse(existing) as { operationId: string }).operationId === operationId) await this.redis.del(this.idemKey(actor, key));
  }

  private evacuationKey(region: RegionCode) {
    return `${this.prefix}:evacuation:${region}`;
  }

  /** Keep the first record: evacuating a half-evacuated region must still restore to the original. */
  async recordEvacuation(record: EvacuationRecord): Promise<boolean> {
    return (await this.redis.set(this.evacuationKey(record.region), JSON.stringify(record), 'NX')) === 'OK';
  }

  async evacuationOf(region: RegionCode): Promise<EvacuationRecord | undefined> {
    const raw = await this.redis.get(this.evacuationKey(region));
    return raw ? (JSON.parse(raw) as EvacuationRecord) : undefined;
  }

  async evacuatedRegions(regions: readonly RegionCode[]): Promise<RegionCode[]> {
    if (regions.length === 0) return [];
    const found = await this.redis.mget(...regions.map((r) => this.evacuationKey(r)));
    return regions.filter((_, i) => found[i] !== null);
  }

  async clearEvacuation(region: RegionCode): Promise<void> {
    await this.redis.del(this.evacuationKey(region));
  }

  private snapshotKey(operationId: string) {
    return `${this.prefix}:snapshot:${operationId}`;
  }

  /**
   * The fleet an operation was planned on. Kept beside the job rather than in it: it is the
   * largest part of an operation, read by its steps, never by people watching it.
   */
  async saveSnapshot(operationId: string, snapshot: OperationSnapshot): Promise<void> {
    await this.redis.set(this.snapshotKey(operationId), JSON.stringify(snapshot), 'EX', 30 * 86400);
  }

  async knows(operationId: string): Promise<boolean> {
    return (await this.redis.exists(this.snapshotKey(operationId))) === 1;
  }

  async snapshotOf(operationId: string): Promise<OperationSnapshot | undefined> {
    const raw = await this.redis.get(this.snapshotKey(operationId));
    return raw ? (JSON.parse(raw) as OperationSnapshot) : undefined;
  }

  private revisionKey(operationId: string) {
    return `${this.prefix}:revision:${operationId}`;
  }

  /** Bumped whenever an operation's checkpoint or progress changes: what cached views are keyed on. */
  async touch(operationId: string): Promise<void> {
    await this.redis.multi().incr(this.revisionKey(operationId)).expire(this.revisionKey(operationId), 30 * 86400).exec();
  }

  async revision(operationId: string): Promise<string> {
    return (await this.redis.get(this.revisionKey(operationId))) ?? '0';
  }

  private cancelKey(operationId: string) {
    return `${this.prefix}:cancel:${operationId}`;
  }

  async requestCancel(operationId: string, request: CancelRequest): Promise<void> {
    await this.redis.set(this.cancelKey(operationId), JSON.stringify(request), 'EX', 7 * 86400, 'NX');
  }

  async cancelRequest(operationId: string): Promise<CancelRequest | undefined> {
    const raw = await this.redis.get(this.cancelKey(operationId));
    return raw ? (JSON.parse(raw) as CancelRequest) : undefined;
  }

  private get suspendedKey() {
    return `${this.prefix}:suspended`;
  }

  /** Processes lifeboat suspended, one hash field per group: kept until it resumes them, whatever operation does. */
  async noteSuspended(record: SuspensionRecord): Promise<void> {
    const field = suspensionField(record);
    const existing = await this.redis.hget(this.suspendedKey, field);
    const processes = [...new Set([...(existing ? (JSON.parse(existing) as SuspensionRecord).processes : []), ...record.processes])].sort();
    await this.redis.hset(this.suspendedKey, field, JSON.stringify({ ...record, processes }));
  }

  async suspensionsOf(groups: ReadonlyArray<{ region: RegionCode; group: string; account?: string | undefined }>): Promise<SuspensionRecord[]> {
    if (groups.length === 0) return [];
    const found = await this.redis.hmget(this.suspendedKey, ...groups.map(suspensionField));
    return found.filter((f): f is string => f !== null).map((f) => JSON.parse(f) as SuspensionRecord);
  }

  async forgetSuspended(groups: ReadonlyArray<{ region: RegionCode; group: string; account?: string | undefined }>): Promise<void> {
    if (groups.length > 0) await this.redis.hdel(this.suspendedKey, ...groups.map(suspensionField));
  }

  async markEvacuationPartial(region: RegionCode, operationId: string): Promise<void> {
    const record = await this.evacuationOf(region);
    if (record?.operationId === operationId) await this.redis.set(this.evacuationKey(region), JSON.stringify({ ...record, partial: true }));
  }

  async markEvacuationSwitched(region: RegionCode, operationId: string, design: SwitchDesign): Promise<void> {
    const record = await this.evacuationOf(region);
    if (record?.operationId === operationId) await this.redis.set(this.evacuationKey(region), JSON.stringify({ ...record, switched: design }));
  }

  private get followUpsKey() {
    return `${this.prefix}:follow-ups`;
  }

  async recordFollowUps(followUps: readonly FollowUp[]): Promise<void> {
    if (followUps.length === 0) return;
    await this.redis.hset(this.followUpsKey, Object.fromEntries(followUps.map((f) => [followUpField(f), JSON.stringify(f)])));
  }

  async followUps(): Promise<FollowUp[]> {
    return Object.values(await this.redis.hgetall(this.followUpsKey)).map((v) => JSON.parse(v) as FollowUp);
  }

  async forgetFollowUps(followUps: readonly FollowUp[]): Promise<void> {
    if (followUps.length > 0) await this.redis.hdel(this.followUpsKey, ...followUps.map(followUpField));
  }
}

const followUpField = (f: FollowUp) => `${f.operationId}/${f.account ?? ''}/${f.region}/${f.group}`;
const suspensionField = (g: { region: RegionCode; group: string; account?: string | undefined }) => `${g.account ?? ''}/${g.region}/${g.group}`;
