import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AutoScalingGroupReading, HostedZoneReading, RegionCode } from '../core/fleet';
import type { LastGoodReading, LastGoodReadings } from '../operations/ports/last-good-readings';

/** Kept this long after its last good read: long enough to outlive any outage worth planning through. */
const KEEP_SECONDS = 30 * 86400;

/**
 * The last good reading of each fleet source, one hash per source: the reading, its hash
 * and when it was last confirmed. A reading that has not changed since this process last
 * wrote it only moves its time forward, so a read of 10,000 groups is not written again
 * on every plan.
 */
export class RedisLastGoodReadings implements LastGoodReadings {
  /** Per source: the hash of what this process last wrote. */
  private readonly written = new Map<string, string>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(source: string): string {
    return `${this.prefix}:last-good:${source}`;
  }

  saveGroups(region: RegionCode, groups: AutoScalingGroupReading[], takenAt: string): Promise<void> {
    return this.save(`autoscaling:${region}`, groups, takenAt);
  }

  groupsOf(region: RegionCode): Promise<LastGoodReading<AutoScalingGroupReading[]> | undefined> {
    return this.load(`autoscaling:${region}`);
  }

  saveZones(zones: HostedZoneReading[], takenAt: string): Promise<void> {
    return this.save('route53', zones, takenAt);
  }

  zones(): Promise<LastGoodReading<HostedZoneReading[]> | undefined> {
    return this.load('route53');
  }

  async ages(regions: readonly RegionCode[]): Promise<Record<RegionCode, string>> {
    const pipeline = this.redis.pipeline();
    for (const r of regions) pipeline.hget(this.key(`autoscaling:${r}`), 'takenAt');
    const answers = (await pipeline.exec()) ?? [];
    const out: Record<RegionCode, string> = {};
    regions.forEach((r, i) => {
      const at = answers[i]?.[1];
      if (typeof at === 'string') out[r] = at;
    });
    return out;
  }

  private async save(source: string, value: unknown, takenAt: string): Promise<void> {
    const key = this.key(source);
    const json = JSON.stringify(value);
    const hash = createHash('sha1').update(json).digest('hex');
    const unchanged = this.written.get(source) === hash;
    const multi = this.redis.multi();
    // Only move the time forward when the reading is the one this process wrote (and it is still there).
    if (unchanged) multi.hset(key, 'takenAt', takenAt).hget(key, 'hash');
    else multi.hset(key, { takenAt, hash, value: json });
    multi.expire(key, KEEP_SECONDS);
    const answers = await multi.exec();
    if (unchanged && answers?.[1]?.[1] !== hash) {
      // Someone else's reading (or none, after Redis lost it) is there: write ours in full.
      await this.redis.hset(key, { takenAt, hash, value: json });
    }
    this.written.set(source, hash);
  }

  private async load<T>(source: string): Promise<LastGoodReading<T> | undefined> {
    const [takenAt, value] = await this.redis.hmget(this.key(source), 'takenAt', 'value');
    if (!takenAt || !value) return undefined;
    return { takenAt, value: JSON.parse(value) as T };
  }
}
