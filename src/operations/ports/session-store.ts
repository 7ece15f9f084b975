/** A browser's session with the dashboard: whose token it was opened with, and until when it holds. */
export interface BrowserSession {
  /** The SHA-256 of the token the session was opened with: the session lasts only while that token is configured. */
  tokenSha256: string;
  /** The token's name when the session was opened (for the audit trail; roles are read from the token each time). */
  name: string;
  createdAt: string;
  expiresAt: string;
}

/**
 * Server-side browser sessions (src/api/routes/session.ts): the cookie holds a random session
 * id, never the token, and a session ends when it expires, when its browser logs out, or when
 * its token is removed. Stored under the id's hash, so reading the store gives no cookie away.
 */
export interface SessionStore {
  /** Keep `session` under `id` until it expires. */
  save(id: string, session: BrowserSession): Promise<void>;
  get(id: string): Promise<BrowserSession | undefined>;
  /** End a session (logging out); true when there was one. */
  delete(id: string): Promise<boolean>;
}
