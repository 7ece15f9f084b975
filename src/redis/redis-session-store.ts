import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { BrowserSession, SessionStore } from '../operations/ports/session-store';

/**
 * Browser sessions in Redis: `<prefix>:session:<sha256 of the id>`, expiring with the session
 * (Redis's TTL, besides the expiry the API checks), deleted when the browser logs out.
 */
export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(id: string): string {
    return `${this.prefix}:session:${createHash('sha256').update(id).digest('hex')}`;
  }

  async save(id: string, session: BrowserSession): Promise<void> {
    const ttlMs = Math.max(1000, Date.parse(session.expiresAt) - Date.parse(session.createdAt));
    await this.redis.set(this.key(id), JSON.stringify(session), 'PX', ttlMs);
  }

  async get(id: string): Promise<BrowserSession | undefined> {
    const raw = await this.redis.get(this.key(id));
    return raw ? (JSON.parse(raw) as BrowserSession) : undefined;
  }

  async delete(id: string): Promise<boolean> {
    return (await this.redis.del(this.key(id))) > 0;
  }
}
