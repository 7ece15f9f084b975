import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallCounter } from '../../src/sandbox/proxy/call-counters';
import type { ProxyProfileInput } from '../../src/sandbox/proxy/proxy-profile';
import { stopChild } from '../support/child-process';

/**
 * The AWS proxy in a process of its own (compiled), as AWS is to lifeboat: its work does
 * not share lifeboat's event loop. Counters come from its admin endpoint.
 */
export interface ProxyProcess {
  endpoint: string;
  counters(): Promise<CallCounter[]>;
  resetCounters(): Promise<void>;
  stop(): Promise<void>;
}

export async function startProxyProcess(root: string, command: string[], target: string, profile: ProxyProfileInput): Promise<ProxyProcess> {
  const file = join(tmpdir(), `lifeboat-bench-profile-${process.pid}-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(profile));
  const child: ChildProcess = spawn(process.execPath, [...command, '--target', target, '--profile', file], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve(line.trim());
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`the proxy exited (${code}): ${err}`)));
  });
  const admin = (path: string, method = 'GET') => fetch(`${endpoint}/__proxy/${path}`, { method });
  return {
    endpoint,
    async counters() {
      return ((await (await admin('counters')).json()) as { counters: CallCounter[] }).counters;
    },
    async resetCounters() {
      await (await admin('counters/reset', 'POST')).arrayBuffer();
    },
    stop: () => stopChild(child, 'SIGTERM'),
  };
}
