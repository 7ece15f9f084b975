import type { Redis } from 'ioredis';
import type { RunbookDeps } from '../runbooks/action-context';

export interface ApiDeps extends RunbookDeps {
  redis: Redis;
}
