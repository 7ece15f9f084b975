import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import IORedis from 'ioredis';
import { DemoFailure } from './demo-failure';
import { freePort } from '../free-port';

/**
 * Redis for the demo, with no configuration: the Redis at REDIS_URL when one answers there
 * (under a private key prefix, whose keys are deleted at the end), otherwise a private
 * redis-server from PATH on a free port (nothing saved to disk, killed at the end).
 */
interface DemoRedis {
  url: string;
  /** Key prefix the demo's lifeboat uses: private to this run. */
  prefix: string;
  /** For the banner: where Redis came from. */
  description: string;
  /** What stop() does, for the clean-up report. */
  stopped: string;
  /** Delete the demo's keys, or stop the private server. Safe to call twice. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 10_000;
const KILL_GRACE_MS = 3000;
const OUTPUT_TAIL_CHARS = 2000;

const HOW_TO_GET_REDIS =
  'Start a Redis server (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis; ' +
  'or docker run -p 6379:6379 redis), or set REDIS_URL to one that runs. With redis-server on PATH the demo starts its own.';

export async function provideRedis(url: string): Promise<DemoRedis> {
  const prefix = `lifeboat-demo-${randomBytes(4).toString('hex')}`;
  const reach = await probe(url);
  if (reach.answered) {
    let stopped = false;
    return {
      url,
      prefix,
      description: `the Redis at ${redactedUrl(url)} (keys under ${prefix}:, deleted at the end)`,
      stopped: `delete the demo's keys (${prefix}:*) from the Redis at ${redactedUrl(url)}`,
      async stop() {
        if (stopped) return;
        stopped = true;
        await deleteKeys(url, prefix);
      },
    };
  }
  if (reach.error) throw new DemoFailure(`Redis at ${redactedUrl(url)} answered but is not usable: ${reach.error}`, HOW_TO_GET_REDIS);
  return startPrivateRedis(url, prefix);
}

type Reach = { answered: true } | { answered: false; error?: string };

/** Whether a Redis answers PING at the URL; connection failures are "no", other errors are reported. */
async function probe(url: string, timeoutMs = 1500): Promise<Reach> {
  const client = new IORedis(url, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch {
    client.disconnect();
    return { answered: false };
  }
  try {
    return (await client.ping()) === 'PONG' ? { answered: true } : { answered: false, error: 'PING did not answer PONG' };
  } catch (e) {
    return { answered: false, error: e instanceof Error ? e.message : String(e) };
  } finally {
    client.disconnect();
  }
}

async function startPrivateRedis(unreachableUrl: string, prefix: string): Promise<DemoRedis> {
  const port = await freePort();
  const url = `redis://${HOST}:${port}`;
  const args = ['--save', '', '--appendonly', 'no', '--port', String(port), '--bind', HOST];
  // Its own process group, so a Ctrl-C at the terminal reaches the demo but not Redis: the
  // demo still needs Redis to stop its worker cleanly, and stops Redis last.
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const keep = (chunk: string) => {
    output = (output + chunk).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.setEncoding('utf8').on('data', keep);
  child.stderr?.setEncoding('utf8').on('data', keep);
  const exited = exitOf(child);
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });

  const stop = async () => {
    if (hasExited) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    await exited;
    clearTimeout(killer);
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (hasExited) {
      const { code, signal, error } = await exited;
      if ((error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
        throw new DemoFailure(`Nothing answers at ${redactedUrl(unreachableUrl)}, and redis-server is not on PATH to start a private one.`, HOW_TO_GET_REDIS);
      }
      const tail = output.trim();
      throw new DemoFailure(
        `redis-server did not start (${error ? error.message : `it exited with ${signal ?? `code ${code}`}`}).${tail ? ` Its output ends with:\n${tail}` : ''}`,
        HOW_TO_GET_REDIS,
      );
    }
    if ((await probe(url, 500)).answered) {
      return {
        url,
        prefix,
        description: `a private redis-server on port ${port} (nothing answered at ${redactedUrl(unreachableUrl)}; stopped at the end)`,
        stopped: `stop the private redis-server on port ${port}`,
        stop,
      };
    }
    if (Date.now() > deadline) {
      await stop();
      throw new DemoFailure(`redis-server started but did not answer on ${url} within ${START_TIMEOUT_MS / 1000} s.`, HOW_TO_GET_REDIS);
    }
    await Promise.race([delay(100), exited]);
  }
}

/** Every key under the prefix, found with SCAN (never KEYS on a shared server). */
async function deleteKeys(url: string, prefix: string): Promise<void> {
  const client = new IORedis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }> {
  return new Promise((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
  });
}

/** The URL without a password, for messages. */
function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}
