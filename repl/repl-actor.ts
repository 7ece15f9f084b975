import { userInfo } from 'node:os';

/** Who the REPL acts as: LIFEBOAT_USER, else the OS user. Recorded on every operation as repl:<user>. */
export function replActor(env: Record<string, string | undefined> = process.env): string {
  let user = env.LIFEBOAT_USER;
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = env.USER ?? 'unknown';
    }
  }
  return `repl:${user}`;
}
