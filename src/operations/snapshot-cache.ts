import type { FleetReader } from '../cloud/ports';
import type { FleetSnapshot } from '../core/fleet';
import type { Clock } from './clock';
import { takeSnapshot } from './fleet-snapshot';

/**
 * The fleet, read at most once per `ttlMs` for questions that are information (plans, the
 * fleet view, the checks before queueing an operation): a burst of plan requests costs one
 * read of AWS, not one each, and concurrent callers share the read in flight. A cached read
 * is used only while the fleet version is unchanged: every change lifeboat makes bumps it
 * (in Redis, so every process sees it), so a plan never predates lifeboat's own last change.
 * Anything that changes the world (an operation's guard) reads fresh with maxAgeMs 0.
 */
export class SnapshotCache {
  private latest?: { snapshot: FleetSnapshot; at: number; version: string };
  private inFlight?: { read: Promise<FleetSnapshot>; version: string };

  constructor(
    private readonly cloud: FleetReader,
    private readonly clock: Clock,
    private readonly ttlMs: number,
    /** The fleet version: changes whenever lifeboat changes the fleet. */
    private readonly version: () => Promise<string> = async () => '0',
  ) {}

  async get(maxAgeMs: number = this.ttlMs): Promise<FleetSnapshot> {
    const fresh = maxAgeMs <= 0;
    const version = await this.version();
    const now = this.clock.now().getTime();
    if (!fresh && this.latest && this.latest.version === version) {
      const age = now - this.latest.at;
      if (age <= maxAgeMs) return this.latest.snapshot;
      // A little past its time: answer with it and read again behind the answer, so no
      // request waits for AWS while the fleet has not changed through lifeboat.
      if (age <= 2 * maxAgeMs) {
        if (!this.inFlight) this.refresh(version).catch(() => undefined);
        return this.latest.snapshot;
      }
    }
    if (!fresh && this.inFlight && this.inFlight.version === version) return this.inFlight.read;
    return this.refresh(version);
  }

  private async refresh(version: string): Promise<FleetSnapshot> {
    const read = takeSnapshot(this.cloud).then((snapshot) => {
      this.latest = { snapshot, at: this.clock.now().getTime(), version };
      return snapshot;
    });
    this.inFlight = { read, version };
    try {
      return await read;
    } finally {
      if (this.inFlight?.read === read) this.inFlight = undefined;
    }
  }
}
