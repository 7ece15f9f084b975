import { hostname } from 'node:os';
import { Queue } from 'bullmq';
import { closeReplContext, createReplContext, stopWatching } from '../../repl/repl-context';
import { formatLifeboatError, isRefusal } from '../../repl/refusals';
import { replActor, replIdentity } from '../../repl/repl-actor';
import { banner, startRepl } from '../../repl/start-repl';
import { MissingTranspiler, loadTranspiler } from '../../repl/transpiler';
import type { Lifeboat } from './create-lifeboat';
import { createLifeboat } from './create-lifeboat';

/**
 * npm run repl: a TypeScript REPL (ts-node, transpile only, top-level await) with lifeboat in
 * scope. It submits operations to the queue like the API does; workers normally run
 * elsewhere (npm run worker), or in this process with --with-worker.
 */

const REDIS_TIMEOUT_MS = 5000;
const CLOSE_TIMEOUT_MS = 10_000;
const INTERACTIVE_DRAIN_MS = 2000;

function fail(message: string, hint?: string): never {
  process.stderr.write(`lifeboat repl: ${message}\n${hint ? `  hint: ${hint}\n` : ''}`);
  process.exit(1);
}

async function connect(): Promise<Lifeboat> {
  let lb: Lifeboat;
  try {
    lb = createLifeboat();
  } catch (e) {
    if (isRefusal(e)) fail(formatLifeboatError(e));
    throw e;
  }
  // ioredis and BullMQ report connection errors as events; keep the last one for the message below.
  let lastRedisError: Error | undefined;
  const remember = (e: Error) => {
    lastRedisError = e;
  };
  lb.redis.on('error', remember);
  for (const dep of Object.values(lb.deps) as unknown[]) {
    const queue = (dep as { queue?: unknown } | null)?.queue;
    if (queue instanceof Queue) queue.on('error', remember);
  }
  try {
    await lb.ready(REDIS_TIMEOUT_MS);
  } catch (e) {
    lb.redis.disconnect();
    if (!isRefusal(e)) throw e;
    fail(
      `${e.code}: ${e.message}${lastRedisError ? ` (${lastRedisError.message})` : ''}`,
      e.code === 'LB_ERR_DEPENDENCY_DOWN' ? 'Start Redis, or point REDIS_URL (or REDIS_SENTINELS) at it (the same Redis as the API and the workers).' : e.hint,
    );
  }
  return lb;
}

async function main(): Promise<void> {
  // Before connecting: an install without the REPL's compiler says so at once.
  loadTranspiler();
  const withWorker = process.argv.slice(2).includes('--with-worker');
  const lb = await connect();
  let identity;
  try {
    identity = replIdentity(process.env, lb.auth);
  } catch (e) {
    lb.redis.disconnect();
    throw e;
  }
  const actor = replActor(identity);
  if (withWorker) {
    await lb.startWorker(`repl:${hostname()}:${process.pid}`).waitUntilReady();
    // Its worker takes maintenance jobs too, but leaves the schedules to the processes configured for them.
    await lb.startMaintenance({ schedule: false });
  }
  const connected = await lb.deps.queue.workersCount();
  console.log(banner(lb.deps.settings, `${actor} (${identity.roles.join(', ')})`, { connected, own: withWorker }));

  const ctx = createReplContext(lb, { identity });
  const { server, idle } = startRepl(ctx);

  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    // Interactive: stop watching, and do not wait long for an input that hangs (Redis gone, say).
    // Piped: let every input already read finish.
    if (server.terminal) {
      stopWatching(ctx);
      await Promise.race([idle(), new Promise((resolve) => setTimeout(resolve, INTERACTIVE_DRAIN_MS).unref())]);
    } else {
      await idle();
    }
    const force = setTimeout(() => process.exit(0), CLOSE_TIMEOUT_MS);
    force.unref();
    closeReplContext(ctx);
    await lb.close().catch(() => undefined);
    process.exit(0);
  };
  server.on('exit', () => void close());
  process.once('SIGTERM', () => server.close());
}

main().catch((e: unknown) => {
  if (isRefusal(e)) fail(formatLifeboatError(e));
  if (e instanceof MissingTranspiler) fail(e.message, e.hint);
  fail(`failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
});
