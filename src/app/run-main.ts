import { isLifeboatError } from '../core/errors';
import { logger } from '../operations/logger';

/**
 * Run an entry point: a start-up failure prints what is wrong and what to do, not a stack;
 * SIGINT and SIGTERM stop it cleanly.
 */
export function runMain(name: string, start: () => Promise<() => Promise<void>>): void {
  let stop: (() => Promise<void>) | undefined;
  const shutdown = (signal: string) => {
    logger.info({ signal }, `${name}: stopping`);
    const force = setTimeout(() => process.exit(1), 10000);
    force.unref();
    (stop ? stop() : Promise.resolve()).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  start().then(
    (s) => {
      stop = s;
    },
    (e: unknown) => {
      if (isLifeboatError(e)) {
        process.stderr.write(`${name}: ${e.code}: ${e.message}\n  → ${e.hint}\n`);
      } else {
        process.stderr.write(`${name}: failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
      }
      process.exit(1);
    },
  );
}
