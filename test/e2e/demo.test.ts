import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

/**
 * `npm run demo` end to end, as a newcomer runs it: a child process with no configuration
 * (moto from python3, Redis at REDIS_URL or a private redis-server), which must evacuate
 * us-east-1 to 0%, restore it, clean up and exit 0.
 */

const ROOT = join(__dirname, '..', '..');
const TIMEOUT_MS = 120_000;

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runDemo(): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['ts-node', '--transpile-only', 'src/sandbox/demo/demo.ts'], { cwd: ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // Past the deadline, interrupt it as Ctrl-C would, so it still stops moto and Redis.
    const interrupt = setTimeout(() => child.kill('SIGINT'), TIMEOUT_MS);
    const kill = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS + 15_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(interrupt);
      clearTimeout(kill);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The lines of the section whose heading contains `title` ("5. The fleet after the evacuation"). */
function section(output: string, title: string): string {
  const start = output.search(new RegExp(`^\\d+\\. ${title}`, 'm'));
  if (start < 0) return '';
  const next = output.slice(start + 1).search(/^\d+\. /m);
  return next < 0 ? output.slice(start) : output.slice(start, start + 1 + next);
}

it(
  'When the demo runs, then it evacuates us-east-1 to 0% share, restores it, cleans up and exits 0',
  async () => {
    const { code, signal, stdout, stderr } = await runDemo();
    const transcript = `exit ${code ?? signal}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;

    expect(code, transcript).toBe(0);
    expect(stdout, transcript).toMatch(/evacuate op_\S+ succeeded in [\d.]+ s/);
    expect(stdout, transcript).toMatch(/restore op_\S+ succeeded in [\d.]+ s/);

    const after = section(stdout, 'The fleet after the evacuation');
    expect(after, transcript).toMatch(/^\s+us-east-1\s+api\s.*\s0\.0%$/m);
    expect(after, transcript).not.toMatch(/^\s+us-west-2\s+\S+\s.*\s0\.0%$/m);

    const restored = section(stdout, 'The fleet restored');
    expect(restored, transcript).toMatch(/^\s+us-east-1\s+api\s.*\s33\.3%$/m);
    expect(restored, transcript).toContain('Every traffic share is back where it was');

    expect(section(stdout, 'Clean up'), transcript).toMatch(/✓ stop moto/);
    expect(stderr, transcript).not.toMatch(/^\s+at .*\.ts:\d+/m);
  },
  TIMEOUT_MS + 30_000,
);
