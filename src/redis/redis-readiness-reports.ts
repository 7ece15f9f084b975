import type { Redis } from 'ioredis';
import type { ReadinessReport } from '../core/readiness';
import type { ReadinessReports } from '../operations/ports/readiness-reports';

/** The latest N+1 readiness report, one key. */
export class RedisReadinessReports implements ReadinessReports {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async save(report: ReadinessReport): Promise<void> {
    await this.redis.set(`${this.prefix}:readiness:latest`, JSON.stringify(report));
  }

  async latest(): Promise<ReadinessReport | undefined> {
    const raw = await this.redis.get(`${this.prefix}:readiness:latest`);
    return raw ? (JSON.parse(raw) as ReadinessReport) : undefined;
  }
}
