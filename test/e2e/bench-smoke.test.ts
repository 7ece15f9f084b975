import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');

/** The bench at small sizes: that it runs every scenario and reports them; no timing is asserted. */
describe('npm run bench (smoke)', () => {
  it('runs every scenario at small sizes and ends with one JSON line reporting each', async () => {
    const { code, out, err } = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js'), '--transpile-only', join(ROOT, 'test', 'bench', 'bench.ts'), '--quick'], {
        cwd: ROOT,
        env: { ...process.env, LIFEBOAT_BENCH_FROM_SOURCE: '1', LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('exit', (code) => resolve({ code, out, err }));
    });
    expect(code, err.slice(-2000)).toBe(0);
    const report = JSON.parse(out.trim().split('\n').pop()!) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    for (const scenario of ['evacuateLarge', 'baseline', 'evacuateRealistic', 'evacuateWarm', 'planSmall', 'plan10k', 'fleetRead', 'api', 'queueLatency']) expect(report, scenario).toHaveProperty(scenario);
    expect(report.evacuateLarge.state).toBe('succeeded');
    expect(report.evacuateRealistic.state).toBe('succeeded');
    expect(report.evacuateWarm.withoutWarmPools.state).toBe('succeeded');
    expect(report.evacuateWarm.withWarmPools.state).toBe('succeeded');
    expect(report.evacuateWarm.withWarmPools.cold).toBe(0);
    expect(report.api.requests).toBeGreaterThan(0);
    expect(report.api.bare.count).toBeGreaterThan(0);
    expect(report.baseline.script.groupsRaised).toBeGreaterThan(0);
    expect(report.fleetRead.groups).toBe(report.plan10k.groups);
    expect(Object.keys(report.targets)).toEqual(expect.arrayContaining(['evacuateLargeRatio', 'baselineRatio', 'apiP99Ratio', 'planGrowth', 'planVsRead', 'queueLatencyMedian', 'workerPeakRss']));
    expect(out).toMatch(/measure\s+value\s+target\s+met/);
  }, 360_000);
});
