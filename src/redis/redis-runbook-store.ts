import type { Redis } from 'ioredis';
import type { Approval, RunbookStore } from '../runbooks/runbook-store';

/**
 * What runbooks keep in Redis besides their jobs: approvals, the history of step durations
 * (for the stuck flag) and trigger rate limits.
 */
export class RedisRunbookStore implements RunbookStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private approvalKey(runId: string, stepId: string) {
    return `${this.prefix}:approval:${runId}:${stepId}`;
  }

  /** First decision wins; a second one for the same step changes nothing. */
  async decide(runId: string, stepId: string, approval: Approval): Promise<boolean> {
    return (await this.redis.set(this.approvalKey(runId, stepId), JSON.stringify(approval), 'EX', 30 * 86400, 'NX')) === 'OK';
  }

  async approvalOf(runId: string, stepId: string): Promise<Approval | undefined> {
    const raw = await this.redis.get(this.approvalKey(runId, stepId));
    return raw ? (JSON.parse(raw) as Approval) : undefined;
  }

  private historyKey(runbook: string, stepId: string) {
    return `${this.prefix}:step-history:${runbook}:${stepId}`;
  }

  async recordDuration(runbook: string, stepId: string, ms: number): Promise<void> {
    await this.redis.multi().lpush(this.historyKey(runbook, stepId), String(Math.round(ms))).ltrim(this.historyKey(runbook, stepId), 0, 19).exec();
  }

  async durations(runbook: string, stepId: string): Promise<number[]> {
    return (await this.redis.lrange(this.historyKey(runbook, stepId), 0, -1)).map(Number);
  }

  /** Claim the right to trigger a runbook now; false when it ran less than `minIntervalSeconds` ago. */
  async claimTrigger(runbook: string, minIntervalSeconds: number): Promise<{ claimed: boolean; retryAfterSeconds: number }> {
    const key = `${this.prefix}:trigger:${runbook}`;
    if ((await this.redis.set(key, '1', 'EX', Math.max(1, Math.round(minIntervalSeconds)), 'NX')) === 'OK') return { claimed: true, retryAfterSeconds: 0 };
    return { claimed: false, retryAfterSeconds: Math.max(1, await this.redis.ttl(key)) };
  }

  /** Use a trigger id once: SET NX, kept as long as a request carrying it could still be on time. */
  async claimTriggerId(triggerId: string, ttlSeconds: number): Promise<boolean> {
    return (await this.redis.set(`${this.prefix}:trigger-id:${triggerId}`, '1', 'EX', Math.max(1, Math.round(ttlSeconds)), 'NX')) === 'OK';
  }
}
