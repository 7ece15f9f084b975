/**
 * How a caller presents an API token: in an Authorization: Bearer header, or in the
 * dashboard's session cookie (traded for the token at POST /v1/session).
 *
 * These live apart from auth.ts on purpose: routes/session.ts builds its body schema from
 * TOKEN_PATTERN as it loads, the route catalog imports that schema, and auth.ts reads the
 * catalog. Kept in auth.ts, the pattern would be needed while auth.ts is still loading.
 */

/** The browser session's cookie: the dashboard's token, set by POST /v1/session (see routes/session.ts). */
export const SESSION_COOKIE = 'lifeboat_token';

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
