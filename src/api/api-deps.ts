import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { OperationEvents, StoredEvent } from '../operations/ports/operation-events';
import type { RunbookDeps } from '../runbooks/action-context';
import type { AwsReachability } from '../operations/aws-reachability';
import type { AuthConfig } from './auth';
import type { ProcessChecks } from './process-checks';
import type { LifeboatMetrics } from './metrics/lifeboat-metrics';

export interface ApiDeps extends RunbookDeps {
  redis: Redis;
  auth: AuthConfig;
  metrics: LifeboatMetrics;
  /** Every BullMQ queue lifeboat runs, for the queue board. */
  queues: { all(): Queue[] };
  /** Event streams block on a Redis connection of their own (routes/operation-events.ts). */
  events: OperationEvents & { read(operationId: string, afterId: string, blockMs: number, connection?: Redis): Promise<StoredEvent[]> };
  /** AWS endpoints probed and shared for a few seconds (GET /v1/status); without it, each request probes. */
  reachability?: AwsReachability;
  /** What /readyz checks in this process (Redis, its own workers); without it, Redis alone. */
  processChecks?: () => Promise<ProcessChecks>;
}
