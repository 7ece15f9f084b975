import { randomBytes } from 'node:crypto';

/**
 * How a caller presents itself: an API token in an Authorization: Bearer header, or the
 * dashboard's session cookie (a session opened with the token at POST /v1/session).
 *
 * These live apart from auth.ts on purpose: routes/session.ts builds its body schema from
 * TOKEN_PATTERN as it loads, the route catalog imports that schema, and auth.ts reads the
 * catalog. Kept in auth.ts, the pattern would be needed while auth.ts is still loading.
 */

/**
 * The browser session's cookie, set by POST /v1/session (see routes/session.ts). It holds a
 * session id, not the token: the name is older than that (a browser that still holds a token
 * under it from before simply has no session, and is asked to log in again).
 */
export const SESSION_COOKIE = 'lifeboat_token';

/** A session id: 32 random bytes, base64url (43 characters). */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

/** What a token looks like on the wire: visible ASCII, 8 to 512 characters. */
export const TOKEN_PATTERN = /^[\x21-\x7e]{8,512}$/;

/** One cookie's value from a Cookie header (parsed here: one cookie needs no dependency). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    try {
      return decodeURIComponent(value);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
