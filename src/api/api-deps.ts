import type { Redis } from 'ioredis';
import type { RunbookDeps } from '../runbooks/action-context';
import type { AuthConfig } from './auth';

export interface ApiDeps extends RunbookDeps {
  redis: Redis;
  auth: AuthConfig;
}
