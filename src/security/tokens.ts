import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { LifeboatError } from '../core/errors';

/**
 * API tokens: configured as SHA-256 hashes (never the token itself), each with a name and
 * roles. Tokens are long random strings, so a plain hash is safe to store; presented tokens
 * are hashed and compared to every configured hash in constant time.
 */
export const ROLES = ['viewer', 'operator', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const tokenEntrySchema = z
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

/** Tokens from LIFEBOAT_TOKENS (inline JSON) and LIFEBOAT_TOKENS_FILE (YAML or JSON). */
export function loadTokens(inline: string | undefined, file: string | undefined): TokenEntry[] {
  const entries: unknown[] = [];
  const where: string[] = [];
  if (inline) {
    try {
      entries.push(...(JSON.parse(inline) as unknown[]));
    } catch {
      throw new LifeboatError('LB_ERR_VALIDATION', 'environment variable LIFEBOAT_TOKENS: not a JSON list of {name, sha256, roles}', { field: 'LIFEBOAT_TOKENS' });
    }
    where.push('LIFEBOAT_TOKENS');
  }
  if (file) {
    const parsed: unknown = parse(readFileSync(file, 'utf8'));
    entries.push(...(Array.isArray(parsed) ? parsed : [parsed]));
    where.push(file);
  }
  const tokens = entries.map((e, i) => {
    const r = tokenEntrySchema.safeParse(e);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new LifeboatError('LB_ERR_VALIDATION', `${where.join(' + ')}: token ${i + 1}: ${issue.path.join('.') || '(entry)'}: ${issue.message}`, { field: 'tokens' });
    }
    return r.data;
  });
  const names = new Set<string>();
  for (const t of tokens) {
    if (names.has(t.name)) throw new LifeboatError('LB_ERR_VALIDATION', `two tokens are named ${t.name}`, { field: 'tokens' });
    names.add(t.name);
  }
  return tokens;
}

/** Who a presented token belongs to; every configured hash is compared, in constant time. */
export function identify(presented: string, tokens: readonly TokenEntry[]): Identity | undefined {
  const given = Buffer.from(hashToken(presented), 'hex');
  let found: TokenEntry | undefined;
  for (const t of tokens) {
    if (timingSafeEqual(given, Buffer.from(t.sha256, 'hex')) && !found) found = t;
  }
  return found ? { name: found.name, roles: [...found.roles] } : undefined;
}

/** Whether an identity may act in a role: admin may do everything, every role may read. */
export function hasRole(identity: Identity, needed: Role): boolean {
  if (identity.roles.includes('admin')) return true;
  if (needed === 'viewer') return identity.roles.length > 0;
  return identity.roles.includes(needed);
}
