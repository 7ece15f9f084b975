import { LifeboatError } from '../core/errors';
import { logger } from '../operations/logger';
import type { AuthConfig } from './auth';

/**
 * The API does not start open by accident: no tokens is an error, unless development mode
 * is asked for explicitly, and then every start says so.
 */
export function checkAuthAtStart(auth: AuthConfig): void {
  if (auth.insecure) {
    const warning = 'INSECURE DEVELOPMENT MODE (LIFEBOAT_INSECURE_DEV=true): no authentication, every caller is an anonymous admin. Never run it like this in production.';
    process.stderr.write(`lifeboat: ${warning}\n`);
    logger.warn({ insecure: true }, warning);
    return;
  }
  if (auth.tokens.length === 0) {
    throw new LifeboatError(
      'LB_ERR_UNAUTHENTICATED',
      'no API tokens are configured: create one with `npm run token -- --name <you> --role admin` and set LIFEBOAT_TOKENS_FILE (or LIFEBOAT_TOKENS); for development only, LIFEBOAT_INSECURE_DEV=true',
    );
  }
}
