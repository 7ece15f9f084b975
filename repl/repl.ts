import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import type { REPLEval, REPLServer } from 'node:repl';
import { start as startNodeRepl } from 'node:repl';
import { Queue } from 'bullmq';
import { create as createTsService, createRepl as createTsRepl } from 'ts-node';
import { packageRoot } from '../src/config/load-models';
import type { Lifeboat } from '../src/lifeboat';
import { createLifeboat } from '../src/lifeboat';
import type { ReplContext } from './context';
import { closeReplContext, createReplContext, formatLifeboatError, isRefusal, replActor, stopWatching } from './context';

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

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** The Redis URL without its password, for the banner. */
function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
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
      'Start Redis, or point REDIS_URL at one (the same Redis as the API and the workers).',
    );
  }
  return lb;
}

function banner(lb: Lifeboat, actor: string, workers: { connected: number; own: boolean }): string {
  const { settings } = lb.deps;
  const endpoint = process.env.AWS_ENDPOINT_URL;
  const workerLine = workers.own
    ? `${workers.connected} connected, one of them in this REPL (--with-worker)`
    : workers.connected > 0
      ? `${workers.connected} connected`
      : 'none connected: operations stay queued until one runs (npm run worker; or start the REPL with --with-worker)';
  return [
    `lifeboat REPL, acting as ${actor}`,
    `  regions  ${settings.LIFEBOAT_REGIONS.join(', ')}`,
    `  redis    ${shownUrl(settings.REDIS_URL)} (prefix ${settings.LIFEBOAT_REDIS_PREFIX})`,
    `  aws      ${endpoint ? `${endpoint} (AWS_ENDPOINT_URL)` : 'AWS default endpoints (per region)'}`,
    `  workers  ${workerLine}`,
    `help() lists the commands; top-level await works: await plan({kind: 'evacuate', region: '${settings.LIFEBOAT_REGIONS[0] ?? 'us-east-1'}'})`,
  ].join('\n');
}

/**
 * ts-node's REPL service compiles each input (transpile only) and handles top-level await;
 * node's REPL server around it is ours, so the prompt, history, completion and error
 * printing are lifeboat's. Inputs run one after another, so piped scripts work, and a
 * result that is a promise is awaited before it is shown.
 */
function startRepl(ctx: ReplContext): { server: REPLServer; idle: () => Promise<void> } {
  const tsRepl = createTsRepl();
  const service = createTsService({ ...tsRepl.evalAwarePartialHost, transpileOnly: true, project: join(packageRoot(__dirname), 'tsconfig.json') });
  tsRepl.setService(service);

  let queue: Promise<void> = Promise.resolve();
  let pending = 0;
  const evaluate: REPLEval = function (code, context, file, callback) {
    const run = () =>
      new Promise<void>((done) => {
        const finish = (err: Error | null, result?: unknown) => {
          if (err && isRefusal(err)) {
            console.log(formatLifeboatError(err));
            callback(null, undefined);
          } else {
            callback(err, result);
          }
          done();
        };
        tsRepl.nodeEval(code, context, file, (err: Error | null, result?: unknown) => {
          // A promise is awaited for you: plan({...}) shows the plan, and a refusal its code and hint, await or not.
          if (!err && isThenable(result)) result.then((value) => finish(null, value), (e: unknown) => finish(e instanceof Error ? e : new Error(String(e))));
          else finish(err, result);
        });
      });
    // Nothing pending (a person typing): evaluate now, so incomplete lines are recognised at once.
    if (pending === 0) {
      pending++;
      queue = run().finally(() => pending--);
      return;
    }
    pending++;
    queue = queue.then(run).finally(() => pending--);
  };

  const server = startNodeRepl({
    prompt: 'lifeboat> ',
    input: process.stdin,
    output: process.stdout,
    terminal: !!process.stdout.isTTY && !Number(process.env.NODE_NO_READLINE ?? 0),
    eval: evaluate,
    useGlobal: true,
    ignoreUndefined: true,
  });
  // As ts-node's own REPL does: inputs form one module, so an import compiles to a plain require.
  const context = server.context as Record<string, unknown>;
  context.exports = (context.module as { exports: unknown } | undefined)?.exports ?? {};
  tsRepl.evalCode('export {};void 0;\n');
  Object.defineProperties(context, Object.getOwnPropertyDescriptors(ctx));

  const historyPath = process.env.LIFEBOAT_REPL_HISTORY ?? join(homedir(), '.lifeboat_repl_history');
  server.setupHistory(historyPath, (err) => {
    if (err) console.log(`(history disabled: ${err.message})`);
  });
  // Ctrl+C while an operation is being watched stops watching; the operation goes on.
  server.on('SIGINT', () => stopWatching(ctx));
  return { server, idle: () => queue };
}

async function main(): Promise<void> {
  const withWorker = process.argv.slice(2).includes('--with-worker');
  const lb = await connect();
  const actor = replActor();
  if (withWorker) await lb.startWorker(`repl:${hostname()}:${process.pid}`).waitUntilReady();
  const connected = await lb.deps.queue.workersCount();
  console.log(banner(lb, actor, { connected, own: withWorker }));

  const ctx = createReplContext(lb, { actor });
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
  fail(`failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
});
