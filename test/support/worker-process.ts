import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
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
  const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js'), '--transpile-only', join(ROOT, 'src', 'worker-main.ts')], {
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
