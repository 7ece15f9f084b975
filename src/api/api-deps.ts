import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { EventFeed, OperationEvents } from '../operations/ports/operation-events';
import type { SessionStore } from '../operations/ports/session-store';
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
  events: OperationEvents;
  /** The dashboard's browser sessions (routes/session.ts). */
  sessions: SessionStore;
  /** Live events for the event streams: one reader (one blocking Redis connection) per process (routes/operation-events.ts). */
  feed: EventFeed;
  /** AWS endpoints probed and shared for a few seconds (GET /v1/status); without it, each request probes. */
  reachability?: AwsReachability;
  /** Redis as GET /v1/status reports it (mode, node, role; behind Sentinel the master name and the sentinels); without it, the role alone. */
  redisTopology?: () => Promise<object>;
  /** What /readyz checks in this process (Redis, its own workers); without it, Redis alone. */
  processChecks?: () => Promise<ProcessChecks>;
}
