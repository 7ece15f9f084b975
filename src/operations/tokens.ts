import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * API tokens: configured as SHA-256 hashes (never the token itself), each with a name and
 * roles. Tokens are long random strings, so a plain hash is safe to store; presented tokens
 * are hashed and compared to every configured hash in constant time.
 */
export const ROLES = ['viewer', 'operator', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const tokenEntrySchema = z
  .object({
    name: z.string().regex(/^[a-zA-Z0-9][\w.@-]{0,63}$/, 'letters, digits, _ . @ -'),
    sha256: z.string().regex(/^[a-f0-9]{64}$/, 'the hex SHA-256 of the token (npm run token -- --name <name> prints it)'),
    roles: z.array(z.enum(ROLES)).min(1),
  })
  .strict();

export type TokenEntry = z.infer<typeof tokenEntrySchema>;

export interface Identity {
  name: string;
  roles: Role[];
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new token: 32 random bytes, base64url, with a prefix that secret scanners recognize. */
export function newToken(): string {
  return `lbt_${randomBytes(32).toString('base64url')}`;
}

/** Who a presented token belongs to; every configured hash is compared, in constant time. */
export function identify(presented: string, tokens: readonly TokenEntry[]): Identity | undefined {
  return identifyHash(hashToken(presented), tokens);
}

/** Who the token with this SHA-256 belongs to (a browser session keeps the hash, never the token). */
export function identifyHash(sha256: string, tokens: readonly TokenEntry[]): Identity | undefined {
  if (!/^[a-f0-9]{64}$/.test(sha256)) return undefined;
  const given = Buffer.from(sha256, 'hex');
  let found: TokenEntry | undefined;
  for (const t of tokens) {
    if (timingSafeEqual(given, Buffer.from(t.sha256, 'hex')) && !found) found = t;
  }
  return found ? { name: found.name, roles: [...found.roles] } : undefined;
}

/**
 * The person behind an actor, for comparing who did what: the surfaces that act for a token
 * holder record `api:<name>` or `repl:<name>`, and token names are one identity whatever
 * their case (the token loader refuses two names that differ only in case). So api:oscar,
 * repl:oscar and repl:Oscar are one person; trigger:x, runbook:x and schedule are not people
 * and stay as they are.
 */
export function personOf(actor: string): string {
  const surface = /^(api|repl):(.+)$/i.exec(actor);
  return (surface ? surface[2]! : actor).toLowerCase();
}

/** Whether an identity may act in a role: admin may do everything, every role may read. */
export function hasRole(identity: Identity, needed: Role): boolean {
  if (identity.roles.includes('admin')) return true;
  if (needed === 'viewer') return identity.roles.length > 0;
  return identity.roles.includes(needed);
}
