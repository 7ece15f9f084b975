import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { freePort } from '../../src/sandbox/free-port';
import { stopChild } from './child-process';

/**
 * A redis-server of the test's own (free port, its own directory), persisted as lifeboat
 * asks for in production: AOF with every write fsynced, and noeviction. It can be killed and
 * started again on the same port and directory: the AOF brings the data back. The shared
 * Redis is never touched.
 */
export interface PrivateRedis {
  url: string;
  port: number;
  dir: string;
  /** Kill the server (SIGKILL: no chance to save anything beyond what the AOF already has). */
  kill(): Promise<void>;
  /** Start it again on the same port and directory; resolves once it answers PING. */
  start(): Promise<void>;
  /** Kill it and remove its directory. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

export interface PrivateRedisOptions {
  /** false: a Redis that keeps nothing across a restart (appendonly no, no RDB save), as a cache would run. */
  persistent?: boolean;
}

export async function startPrivateRedis(options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-redis-'));
  const url = `redis://${HOST}:${port}`;
  const args = [
    '--port', String(port),
    '--bind', HOST,
    '--dir', dir,
    ...(options.persistent === false ? ['--appendonly', 'no'] : ['--appendonly', 'yes', '--appendfsync', 'always']),
    '--maxmemory-policy', 'noeviction',
    '--save', '',
  ];
  let child: ChildProcess | undefined;
  let output = '';

  const start = async () => {
    const c = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    c.stdout!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    c.stderr!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (c.exitCode !== null || c.signalCode !== null) throw new Error(`redis-server exited (${c.exitCode ?? c.signalCode}):\n${output}`);
      if (await answers(url)) return;
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on ${url} within 10 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const kill = async () => {
    if (child) await stopChild(child, 'SIGKILL');
  };

  await start();
  return {
    url,
    port,
    dir,
    kill,
    start,
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function answers(url: string): Promise<boolean> {
  const client = new IORedis(url, { lazyConnect: true, connectTimeout: 500, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
