import { userInfo } from 'node:os';
import { LifeboatError } from '../src/core/errors';
import type { Identity, TokenEntry } from '../src/operations/tokens';
import { identify } from '../src/operations/tokens';

/**
 * Who the REPL acts as: the owner of LIFEBOAT_TOKEN, a token configured for the API
 * (LIFEBOAT_TOKENS_FILE / LIFEBOAT_TOKENS), with that token's roles, as the CLI does. Every
 * operation is recorded as repl:<name>, and a command needs the role the API would ask for
 * (repl-roles.ts). LIFEBOAT_USER no longer says who you are: anyone could type any name.
 *
 * In development mode (LIFEBOAT_INSECURE_DEV=true, where the API lets everyone in as an
 * admin) no token is needed: the REPL acts as LIFEBOAT_USER or the OS user, as an admin.
 */
export function replIdentity(env: Record<string, string | undefined>, auth: { tokens: readonly TokenEntry[]; insecure: boolean }): Identity {
  if (auth.insecure) return { name: env.LIFEBOAT_USER || osUser(env), roles: ['admin'] };
  const token = env.LIFEBOAT_TOKEN;
  if (!token) {
    throw new LifeboatError(
      'LB_ERR_UNAUTHENTICATED',
      'the REPL acts as the owner of an API token: export LIFEBOAT_TOKEN=<your token> (the one you give the CLI; npm run token -- --name <you> --role operator makes one)',
    );
  }
  const identity = identify(token, auth.tokens);
  if (!identity) throw new LifeboatError('LB_ERR_UNAUTHENTICATED', 'LIFEBOAT_TOKEN is not a token this lifeboat knows (LIFEBOAT_TOKENS_FILE / LIFEBOAT_TOKENS)');
  return identity;
}

/** How the REPL's actions are recorded: repl:<name>. */
export const replActor = (identity: Identity): string => `repl:${identity.name}`;

function osUser(env: Record<string, string | undefined>): string {
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? 'unknown';
  }
}
