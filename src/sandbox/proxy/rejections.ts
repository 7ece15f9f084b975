import type { ProxyProfile, ProxyService } from './proxy-profile';

/**
 * AWS saying no for a while: the next `count` calls that match a burst get its error, in
 * the service's own wire format (a 4xx Sender error unless the status says otherwise).
 * Auto Scaling's ScalingActivityInProgress and ResourceContention are the usual ones: a
 * group busy with an activity refuses updates until it ends.
 */

interface CallIdentity {
  service: ProxyService;
  region: string;
  action: string;
  /** The Auto Scaling group the call names, if any. */
  group?: string;
}

/** AWS's own words for the errors a test most often injects. */
const KNOWN_MESSAGES: Record<string, string> = {
  ScalingActivityInProgress: 'Scaling activity 5f2b3c1e-0000-4000-8000-000000000000 is in progress and blocks this action.',
  ResourceContention: 'You already have a pending update to an Auto Scaling resource (for example, a group, instance, or load balancer).',
};

export interface Rejection {
  status: number;
  code: string;
  message: string;
}

type RejectionBurst = ProxyProfile['rejections'][number];

export class RejectionFaults {
  private bursts: RejectionBurst[] = [];
  private remaining: number[] = [];

  arm(bursts: readonly RejectionBurst[]): void {
    this.bursts = [...bursts];
    this.remaining = bursts.map((b) => b.count);
  }

  /** The error to answer this call with, or undefined to let it through. */
  take(call: CallIdentity): Rejection | undefined {
    const index = this.bursts.findIndex(
      (b, i) =>
        this.remaining[i]! > 0 &&
        (b.service === undefined || b.service === call.service) &&
        (b.region === undefined || b.region === call.region) &&
        (b.action === undefined || b.action === call.action) &&
        (b.group === undefined || b.group === call.group),
    );
    if (index < 0) return undefined;
    this.remaining[index] = this.remaining[index]! - 1;
    const burst = this.bursts[index]!;
    return { status: burst.status, code: burst.code, message: burst.message ?? KNOWN_MESSAGES[burst.code] ?? `${burst.code} (injected by the lifeboat AWS proxy)` };
  }

  remainingBursts(): number[] {
    return [...this.remaining];
  }
}
