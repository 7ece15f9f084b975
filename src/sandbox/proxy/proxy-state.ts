import { CallCounters } from './call-counters';
import { CapacityFaults } from './capacity-faults';
import { DnsChanges } from './dns-propagation';
import { KeyedQueue } from './keyed-queue';
import { InstanceLedger } from './launch-delays';
import type { ProxyClock } from './proxy-clock';
import { scaledMs } from './proxy-clock';
import type { ProxyProfile } from './proxy-profile';
import { mergeProfile, parseProfile, sectionsOf } from './proxy-profile';
import { RejectionFaults } from './rejections';
import { ServerErrorFaults } from './server-errors';
import { ThrottleBuckets } from './throttling';
import { WarmPoolLedger } from './warm-pools';

/**
 * Everything the proxy remembers: the profile in force and the state its features keep
 * (buckets, launching and missing instances, changes, 5xx bursts left, counters). Setting a
 * section of the profile arms it afresh: full buckets, capacity counted from zero, bursts
 * at their full count; sections a patch does not name keep their state.
 */
export class ProxyState {
  readonly counters = new CallCounters();
  readonly instances = new InstanceLedger();
  readonly capacity = new CapacityFaults();
  readonly dns = new DnsChanges();
  /** Updates of one group are judged one at a time. */
  readonly groupUpdates = new KeyedQueue();
  /** Warm instances taken from pools, until cold launches refill them. */
  readonly warmPools = new WarmPoolLedger();
  readonly serverErrors: ServerErrorFaults;
  readonly rejections = new RejectionFaults();
  // Both set by replace(), which the constructor calls.
  private current!: ProxyProfile;
  private throttleBuckets!: ThrottleBuckets;

  constructor(
    profile: unknown,
    readonly clock: ProxyClock,
    readonly random: () => number = Math.random,
  ) {
    this.serverErrors = new ServerErrorFaults(random);
    this.replace(profile);
  }

  get profile(): ProxyProfile {
    return this.current;
  }

  get buckets(): ThrottleBuckets {
    return this.throttleBuckets;
  }

  /** Replaces the profile (validated first; nothing changes if it is invalid). */
  replace(input: unknown): ProxyProfile {
    this.current = parseProfile(input);
    this.arm(new Set(Object.keys(this.current) as Array<keyof ProxyProfile>));
    return this.current;
  }

  /** Merges `patch` into the profile: objects key by key, arrays and values replaced. */
  patch(patch: unknown): ProxyProfile {
    this.current = mergeProfile(this.current, patch);
    this.arm(sectionsOf(patch));
    return this.current;
  }

  /** Milliseconds from a capacity increase until an instance taken from a warm pool is InService. */
  warmReadyAfterMs(): number {
    return scaledMs(this.current.launch.warmLaunchSeconds, this.current.timeScale);
  }

  /** Milliseconds from a capacity increase until a new instance is InService. */
  readyAfterMs(): number {
    const { launch, timeScale } = this.current;
    return scaledMs(launch.launchSeconds + launch.warmupSeconds, timeScale);
  }

  propagationMs(): number {
    return scaledMs(this.current.dns.propagationSeconds, this.current.timeScale);
  }

  /** What the faults are doing now, for the admin endpoint. */
  snapshot(): Record<string, unknown> {
    const now = this.clock.now();
    return {
      profile: this.current.name,
      throttleTokens: this.current.throttling.enabled ? this.throttleBuckets.levels() : {},
      instances: this.instances.summary(now),
      capacityLimits: this.capacity.state(),
      pendingChanges: this.dns.pending(now),
      serverErrorBurstsLeft: this.serverErrors.remainingBursts(),
      rejectionBurstsLeft: this.rejections.remainingBursts(),
    };
  }

  private arm(sections: Set<keyof ProxyProfile>): void {
    if (sections.has('throttling')) this.throttleBuckets = new ThrottleBuckets(this.current.throttling.quotas, this.clock);
    if (sections.has('capacityLimits')) this.capacity.arm(this.current.capacityLimits);
    if (sections.has('serverErrors')) this.serverErrors.arm(this.current.serverErrors);
    if (sections.has('rejections')) this.rejections.arm(this.current.rejections);
  }
}
