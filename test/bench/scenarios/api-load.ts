import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { BenchWorld } from '../bench-world';
import { BARE_ROUTE } from '../bench-world';

/** The load generator in its own process, against the API of this world and its bare route. */
export function runApiLoad(world: BenchWorld, operationId: string, ratePerSecond: number, seconds: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const root = join(__dirname, '..', '..', '..');
    const child = spawn(process.execPath, [join(root, 'node_modules', 'ts-node', 'dist', 'bin.js'), '--transpile-only', join(root, 'test', 'bench', 'load-generator.ts'), world.apiUrl, world.token, operationId, String(ratePerSecond), String(seconds), BARE_ROUTE], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`load generator failed (${code}): ${err}`));
      else resolve(JSON.parse(line) as Record<string, unknown>);
    });
  });
}
