import type { FleetReader } from '../cloud/ports';
import type { FleetSnapshot } from '../core/fleet';
import type { Clock } from './ports/clock';
import type { PlanReadPolicy } from './fleet-snapshot';
import { takeSnapshot } from './fleet-snapshot';

/**
 * The fleet, read at most once per `ttlMs` for questions that are information (plans, the
 * fleet view, the checks before queueing an operation): a burst of plan requests costs one
 * read of AWS, not one each, and concurrent callers share the read in flight. A cached read
 * is used only while the fleet version is unchanged: every change lifeboat makes bumps it
 * (in Redis, so every process sees it), so a plan never predates lifeboat's own last change.
 * An operation's guard reads fresh (maxAgeMs 0), or reuses the read its request was accepted
 * on when that is only seconds old and the version has not moved (see steps/guard.ts).
 * With a policy, each source is read within a short deadline and one that cannot be read
 * comes from its last good reading (fleet-snapshot.ts): a region that hangs does not make
 * a plan wait for the SDK's retries.
 */
export interface VersionedSnapshot {
  snapshot: FleetSnapshot;
  /** The fleet version when it was read. */
  version: string;
  /** When it was read (epoch ms). */
  readAt: number;
}

export class SnapshotCache {
  private latest?: { snapshot: FleetSnapshot; at: number; version: string };
  private inFlight?: { read: Promise<FleetSnapshot>; version: string };

  constructor(
    private readonly cloud: FleetReader,
    private readonly clock: Clock,
    private readonly ttlMs: number,
    /** The fleet version: changes whenever lifeboat changes the fleet. */
    private readonly version: () => Promise<string> = async () => '0',
    /** How plans read: each source within a deadline, from its last good reading when it cannot be read. */
    private readonly policy?: Omit<PlanReadPolicy, 'clock'>,
  ) {}

  /** The fleet version now: compare with a snapshot's to know whether lifeboat changed the fleet since. */
  currentVersion(): Promise<string> {
    return this.version();
  }

  /** Like get(), with the version and time of the read. */
  async read(maxAgeMs: number = this.ttlMs): Promise<VersionedSnapshot> {
    const snapshot = await this.get(maxAgeMs);
    const latest = this.latest;
    if (latest && latest.snapshot === snapshot) return { snapshot, version: latest.version, readAt: latest.at };
    return { snapshot, version: await this.version(), readAt: this.clock.now().getTime() };
  }

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
    const read = takeSnapshot(this.cloud, this.policy ? { ...this.policy, clock: this.clock } : undefined).then((snapshot) => {
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
