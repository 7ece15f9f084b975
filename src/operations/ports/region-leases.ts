import type { RegionCode } from '../../core/fleet';

export type LeaseResult = { acquired: true } | { acquired: false; region: RegionCode; heldBy: string };

/**
 * One mutating operation per region at a time: a lease per region, held by an operation id
 * with a time to live. The holder renews it while it works; a worker that dies stops
 * renewing and the lease lapses. Taking a lease the same operation already holds succeeds.
 */
export interface RegionLeases {
  /** Take (or renew) every lease at once, or none of them. */
  acquire(operationId: string, regions: readonly RegionCode[], ttlMs: number): Promise<LeaseResult>;
  release(operationId: string, regions: readonly RegionCode[]): Promise<number>;
  holder(region: RegionCode): Promise<string | null>;
}
