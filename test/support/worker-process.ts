import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Settings } from '../../src/operations/settings';
import type { Lifeboat } from '../../src/app/create-lifeboat';
import { stopChild } from './child-process';

export interface WorkerProcess {
  child: ChildProcess;
  name: string;
  output(): string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

const ROOT = join(__dirname, '..', '..');

/** `npm run worker` as its own process (ts-node), with the given environment. */
export function spawnWorker(env: Record<string, string>): WorkerProcess {
  return spawnEntryPoint('worker-main.ts', env);
}

/** An entry point of src/app (worker-main.ts, main.ts, ...) as its own process (ts-node), with the given environment. */
export function spawnEntryPoint(entry: string, env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js'), '--transpile-only', join(ROOT, 'src', 'app', entry)], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return {
    child,
    name: `pid ${child.pid}`,
    output: () => out,
    kill: (signal) => stopChild(child, signal),
  };
}

/**
 * The environment of a worker process that shares a test lifeboat's Redis, prefix and timings
 * (job lock, stalled check, lease), talks to AWS as `aws` says, and polls every 100 ms.
 */
export function workerEnvFor(settings: Settings, aws: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_URL: settings.REDIS_URL,
    ...(settings.REDIS_SENTINELS
      ? { REDIS_SENTINELS: settings.REDIS_SENTINELS.map((s) => `${s.host}:${s.port}`).join(','), REDIS_SENTINEL_NAME: settings.REDIS_SENTINEL_NAME! }
      : {}),
    LIFEBOAT_REDIS_PREFIX: settings.LIFEBOAT_REDIS_PREFIX,
    LIFEBOAT_REGIONS: settings.LIFEBOAT_REGIONS.join(','),
    LIFEBOAT_CAPACITY_POLL_MS: '100',
    LIFEBOAT_DNS_POLL_MS: '100',
    LIFEBOAT_DWELL: '0',
    LIFEBOAT_JOB_LOCK_MS: String(settings.LIFEBOAT_JOB_LOCK_MS),
    LIFEBOAT_STALLED_INTERVAL_MS: String(settings.LIFEBOAT_STALLED_INTERVAL_MS),
    LIFEBOAT_LEASE_TTL: String(settings.LIFEBOAT_LEASE_TTL),
    ...aws,
    ...extra,
  };
}

/** The worker processes a test file started: to wait until they are connected, and to kill them all at the end. */
export class WorkerPool {
  readonly workers: WorkerProcess[] = [];

  start(env: Record<string, string>, entry = 'worker-main.ts'): WorkerProcess {
    const w = spawnEntryPoint(entry, env);
    this.workers.push(w);
    return w;
  }

  /** Until at least `n` workers are connected to the lifeboat's queue; their output in the error otherwise. */
  async untilConnected(lb: Lifeboat, n: number, timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while ((await lb.deps.queue.workersCount()) < n) {
      if (Date.now() > until) throw new Error(`fewer than ${n} workers connected:\n${this.workers.map((w) => w.output()).join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async killAll(signal: NodeJS.Signals): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.kill(signal)));
  }
}
