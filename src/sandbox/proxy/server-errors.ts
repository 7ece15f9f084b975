import type { ProxyProfile, ProxyService } from './proxy-profile';

/**
 * Injected 5xx answers: bursts (the next N calls that match a filter fail, bursts used up in
 * order) and a steady probability. A call that matches gets 500 InternalFailure or 503
 * ServiceUnavailable in its service's error format.
 */

interface CallIdentity {
  service: ProxyService;
  region: string;
  action: string;
}

export class ServerErrorFaults {
  private config: ProxyProfile['serverErrors'] = { bursts: [], probability: 0, status: 503 };
  private remaining: number[] = [];

  constructor(private readonly random: () => number = Math.random) {}

  /** Sets the bursts and probability, each burst with its full count. */
  arm(config: ProxyProfile['serverErrors']): void {
    this.config = config;
    this.remaining = config.bursts.map((b) => b.count);
  }

  /** The status to fail this call with, or undefined to let it through. */
  take(call: CallIdentity): 500 | 503 | undefined {
    const index = this.config.bursts.findIndex(
      (b, i) =>
        this.remaining[i]! > 0 &&
        (b.service === undefined || b.service === call.service) &&
        (b.region === undefined || b.region === call.region) &&
        (b.action === undefined || b.action === call.action),
    );
    if (index >= 0) {
      this.remaining[index] = this.remaining[index]! - 1;
      return this.config.bursts[index]!.status;
    }
    if (this.config.probability > 0 && this.random() < this.config.probability) return this.config.status;
    return undefined;
  }

  remainingBursts(): number[] {
    return [...this.remaining];
  }
}
