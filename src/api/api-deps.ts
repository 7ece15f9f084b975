import type { Redis } from 'ioredis';
import type { LifeboatDeps } from '../operations/lifeboat-deps';

export interface ApiDeps extends LifeboatDeps {
  redis: Redis;
}
