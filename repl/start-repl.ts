import { homedir } from 'node:os';
import { join } from 'node:path';
import type { REPLEval, REPLServer } from 'node:repl';
import { start as startNodeRepl } from 'node:repl';
import { packageRoot } from '../src/operations/package-root';
import type { Settings } from '../src/operations/settings';
import type { ReplContext } from './repl-context';
import { stopWatching } from './repl-context';
import { formatLifeboatError, isRefusal } from './refusals';
import { loadTranspiler } from './transpiler';

/**
 * The REPL itself: a TypeScript REPL (ts-node, transpile only, top-level await) with the
 * REPL context in scope. src/app/repl-main.ts connects lifeboat and starts it.
 */

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

/** What the REPL says first: who it acts as, where it is connected, and whether a worker will carry out what it submits. */
export function banner(settings: Settings, actor: string, workers: { connected: number; own: boolean }): string {
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
/** Where the REPL reads and writes: the terminal by default (tests pass streams). */
interface ReplIo {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  terminal: boolean;
  historyPath: string;
}

function defaultIo(): ReplIo {
  return {
    input: process.stdin,
    output: process.stdout,
    terminal: !!process.stdout.isTTY && !Number(process.env.NODE_NO_READLINE ?? 0),
    historyPath: process.env.LIFEBOAT_REPL_HISTORY ?? join(homedir(), '.lifeboat_repl_history'),
  };
}

export function startRepl(ctx: ReplContext, io: ReplIo = defaultIo()): { server: REPLServer; idle: () => Promise<void> } {
  const { create: createTsService, createRepl: createTsRepl } = loadTranspiler();
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
    input: io.input,
    output: io.output,
    terminal: io.terminal,
    eval: evaluate,
    useGlobal: true,
    ignoreUndefined: true,
  });
  // As ts-node's own REPL does: inputs form one module, so an import compiles to a plain require.
  const context = server.context as Record<string, unknown>;
  context.exports = (context.module as { exports: unknown } | undefined)?.exports ?? {};
  tsRepl.evalCode('export {};void 0;\n');
  // The commands by name; the context's hidden symbols stay with the process that made it.
  for (const name of Object.getOwnPropertyNames(ctx)) Object.defineProperty(context, name, Object.getOwnPropertyDescriptor(ctx, name)!);

  server.setupHistory(io.historyPath, (err) => {
    if (err) console.log(`(history disabled: ${err.message})`);
  });
  // Ctrl+C while an operation is being watched stops watching; the operation goes on, and so
  // does the REPL. Node's own handler counts a second Ctrl+C as "exit": it only hears the
  // ones that come when nothing is being watched, so a reflex double press never closes it.
  const nodeOnSigint = server.listeners('SIGINT') as Array<(this: REPLServer) => void>;
  server.removeAllListeners('SIGINT');
  server.on('SIGINT', () => {
    if (stopWatching(ctx)) return;
    for (const handler of nodeOnSigint) handler.call(server);
  });
  return { server, idle: () => queue };
}

