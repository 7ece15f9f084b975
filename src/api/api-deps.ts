import type { Redis } from 'ioredis';
import type { QueueHandles } from '../jobs/queue-handles';
import type { LifeboatMetrics } from '../metrics/lifeboat-metrics';
import type { RunbookDeps } from '../runbooks/action-context';
import type { AuthConfig } from './auth';

export interface ApiDeps extends RunbookDeps {
  redis: Redis;
  auth: AuthConfig;
  metrics: LifeboatMetrics;
  queues: QueueHandles;
}
