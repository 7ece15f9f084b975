import type { Redis } from 'ioredis';
import type { RegionCode } from '../core/fleet';
import type { LeaseResult, RegionLeases } from '../operations/ports/region-leases';

/**
 * One mutating operation per region at a time: a lease per region, held by an operation
 * id with a time to live. The holder renews it while it works; a worker that dies stops
 * renewing and the lease lapses, so no crash holds a region forever. Taking a lease the
 * same operation already holds succeeds (a resumed operation takes its regions back).
 */
const ACQUIRE = `
for i, key in ipairs(KEYS) do
  local holder = redis.call('GET', key)
  if holder and holder ~= ARGV[1] then return {i, holder} end
end
for _, key in ipairs(KEYS) do redis.call('SET', key, ARGV[1], 'PX', ARGV[2]) end
return {0, ARGV[1]}
`;

const RELEASE = `
local released = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key); released = released + 1 end
end
return released
`;

export class RedisRegionLeases implements RegionLeases {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private keys(regions: readonly RegionCode[]): string[] {
    return [...regions].sort().map((r) => `${this.prefix}:lease:region:${r}`);
  }

  /** Take (or renew) every lease at once, or none of them. */
  async acquire(operationId: string, regions: readonly RegionCode[], ttlMs: number): Promise<LeaseResult> {
    const sorted = [...regions].sort();
    const [index, holder] = (await this.redis.eval(ACQUIRE, sorted.length, ...this.keys(sorted), operationId, String(Math.max(1, Math.round(ttlMs))))) as [number, string];
    if (index === 0) return { acquired: true };
    return { acquired: false, region: sorted[index - 1]!, heldBy: holder };
  }

  async release(operationId: string, regions: readonly RegionCode[]): Promise<number> {
    return (await this.redis.eval(RELEASE, regions.length, ...this.keys(regions), operationId)) as number;
  }

  async holder(region: RegionCode): Promise<string | null> {
    return this.redis.get(this.keys([region])[0]!);
  }
}
