import { spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort } from '../free-port';

/**
 * A real moto server on a free local port, for integration tests and the demo. moto is an
 * independent emulation of the AWS APIs; lifeboat talks to it exactly as it talks to AWS.
 */

interface MotoServerOptions {
  /** The Python interpreter to run (default python3). */
  python?: string;
  /** How long to wait for moto to answer (default 30 s). */
  startTimeoutMs?: number;
  /** Extra environment for the moto process. */
  env?: Record<string, string>;
}

export interface MotoServer {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const STDERR_TAIL_CHARS = 2000;
const KILL_GRACE_MS = 3000;

export async function startMotoServer(options: MotoServerOptions = {}): Promise<MotoServer> {
  const python = options.python ?? 'python3';
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const port = await freePort();
  const args = ['-m', 'moto.server', '-H', HOST, '-p', String(port)];
  const command = `${python} ${args.join(' ')}`;
  const endpoint = `http://${HOST}:${port}`;

  const child = spawn(python, args, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    // 'close' comes after the exit and after stderr has been read to its end.
    child.once('close', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
  });
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });

  const stop = async (): Promise<void> => {
    if (hasExited) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    await exited;
    clearTimeout(killer);
  };

  const failure = (why: string) => {
    const tail = stderr.trim();
    return new Error(
      `moto did not start: ${why}. Command: ${command}.` +
        (tail ? ` Its stderr ends with:\n${tail}` : '') +
        `\nIs moto installed for ${python}? (pip install 'moto[server]')`,
    );
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (hasExited) {
      const { code, signal, error } = await exited;
      throw failure(error ? `${python} could not be run (${error.message})` : `it exited with ${signal ?? `code ${code}`}`);
    }
    if (await answers(`${endpoint}/moto-api/`)) return { endpoint, port, stop };
    if (Date.now() > deadline) {
      await stop();
      throw failure(`no answer from ${endpoint}/moto-api/ within ${timeoutMs} ms`);
    }
    await Promise.race([delay(100), exited]);
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}
