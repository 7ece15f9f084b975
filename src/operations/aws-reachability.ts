import type { FleetReader, ReachabilityCheck } from '../cloud/ports';

/**
 * Whether each AWS endpoint lifeboat needs answers now (Route 53, each region's Auto
 * Scaling): one cheap call each, cut off at `timeoutMs`, shared by everyone who asks within
 * `maxAgeMs` (GET /v1/status, the lifeboat_aws_endpoint_up metric, the dashboard), so that
 * asking often costs AWS one probe per endpoint per few seconds. Information only: no
 * health check of lifeboat's own fails because an AWS endpoint is down.
 */
export class AwsReachability {
  private latest?: { checks: ReachabilityCheck[]; at: number };
  private inFlight?: Promise<ReachabilityCheck[]>;

  constructor(
    private readonly cloud: Pick<FleetReader, 'probe'>,
    readonly timeoutMs: number,
    private readonly maxAgeMs = 5000,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** The checks at most maxAgeMs old; a probe in flight is shared. Never throws. */
  async checks(): Promise<ReachabilityCheck[]> {
    if (this.latest && this.now() - this.latest.at <= this.maxAgeMs) return this.latest.checks;
    this.inFlight ??= this.cloud
      .probe(this.timeoutMs)
      .then((checks) => {
        this.latest = { checks, at: this.now() };
        return checks;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }
}
