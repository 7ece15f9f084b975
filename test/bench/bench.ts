/**
 * npm run bench [-- --quick]: lifeboat against AWS's quotas, through the realism proxy in
 * front of moto, with 20 ms latency per call. Prints a table, and one JSON object on the
 * last line. --quick runs small sizes (the smoke test in npm test does).
 */
import './bench-env';
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { formatTable } from '../../src/text/table';
import { startWorld } from './bench-world';
import { runApiLoad } from './scenarios/api-load';
import { evacuationBound, runEvacuation } from './scenarios/evacuate';
import { runEvacuateWarm } from './scenarios/evacuate-warm';
import { runPlanBench } from './scenarios/plan-10k';
import { runQueueLatency } from './scenarios/queue-latency';
import { round } from './stats';


const quick = process.argv.includes('--quick');
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];
const LATENCY_MS = 20;
const size = quick
  ? { services: 10, apiSeconds: 3, apiRate: 50, planGroups: 1000, planRuns: 5, queueSamples: 3 }
  : { services: 100, apiSeconds: 30, apiRate: 200, planGroups: 10000, planRuns: 20, queueSamples: 10 };
const SCALE = 30;
const say = (line: string) => process.stderr.write(`${line}\n`);

async function main() {
  if (!process.argv.includes('--no-build') && process.env.LIFEBOAT_BENCH_FROM_SOURCE !== '1') {
    say('building (the bench measures the compiled worker and proxy)...');
    for (const script of ['build', 'build:sandbox']) execFileSync('npm', ['run', '--silent', script], { cwd: join(__dirname, '..', '..'), stdio: 'inherit' });
  }
  const started = Date.now();
  const quotas = { name: 'aws-quotas', latency: { fixedMs: LATENCY_MS, jitterMs: 0 }, throttling: { enabled: true } };

  say(`evacuate-large: ${REGIONS.length} regions × ${size.services} services, 2 stages, no launch or DNS delay`);
  const large = await startWorld({
    regions: REGIONS,
    services: size.services,
    desired: 4,
    proxy: quotas,
    env: { LIFEBOAT_DWELL: '0', LIFEBOAT_CAPACITY_POLL_MS: '250', LIFEBOAT_DNS_POLL_MS: '100' },
  });
  let report: Record<string, unknown> = {};
  try {
    const evac = await runEvacuation(large, 2);
    const bound = evacuationBound(large, evac, LATENCY_MS);
    const evacuateLarge = { ...evac, quotaBoundSeconds: round(bound.seconds, 2), ratio: round(evac.wallSeconds / bound.seconds, 3), throttledShare: round(evac.throttled / Math.max(1, evac.totalCalls), 4) };
    say(`  ${evac.state} in ${evac.wallSeconds} s; bound ${round(bound.seconds, 2)} s`);

    say(`plan-${size.planGroups}: ${size.planRuns} runs`);
    const plan10k = runPlanBench(size.planGroups, 5, size.planRuns);

    say(`api: POST /v1/plans and GET /v1/operations/:id at ${size.apiRate}/s for ${size.apiSeconds} s, from another process`);
    const api = await runApiLoad(large, evac.operationId, size.apiRate, size.apiSeconds);

    say(`queue-latency: ${size.queueSamples} operations`);
    const queueLatency = await runQueueLatency(large, size.queueSamples);
    const largeRss = large.workerPeakRssMb();
    report = { evacuateLarge, plan10k, api, queueLatency, workerPeakRssMb: largeRss };
  } finally {
    await large.stop();
  }

  say(`evacuate-realistic: 90 s launch and warm-up, 30 s DNS, scaled down ${SCALE}×`);
  const dwellSeconds = 60 / SCALE;
  const realistic = await startWorld({
    regions: REGIONS,
    services: size.services,
    desired: 4,
    proxy: { ...quotas, name: 'realistic-scaled', timeScale: 1 / SCALE, launch: { launchSeconds: 60, warmupSeconds: 30 }, dns: { propagationSeconds: 30 } },
    env: { LIFEBOAT_DWELL: String(dwellSeconds), LIFEBOAT_CAPACITY_POLL_MS: '250', LIFEBOAT_DNS_POLL_MS: '100' },
  });
  try {
    const evac = await runEvacuation(realistic, 2);
    const bound = evacuationBound(realistic, evac, LATENCY_MS);
    const updatesBound = Math.max(...bound.buckets.filter((b) => b.name.startsWith('autoscaling')).map((b) => b.seconds));
    const capacityPath = updatesBound + 90 / SCALE;
    const criticalPath = capacityPath + 2 * (30 / SCALE + dwellSeconds);
    report.evacuateRealistic = { ...evac, capacityPathSeconds: round(capacityPath, 2), criticalPathSeconds: round(criticalPath, 2), ratio: round(evac.wallSeconds / criticalPath, 3) };
    const rss = realistic.workerPeakRssMb();
    report.workerPeakRssMb = Math.max(Number(report.workerPeakRssMb ?? 0), rss ?? 0);
  } finally {
    await realistic.stop();
  }

  say(`evacuate-warm: the realistic evacuation without and with warm pools covering the growth (20 s warm launch), scaled down ${SCALE}×`);
  report.evacuateWarm = await runEvacuateWarm({ regions: REGIONS, services: size.services, stages: 2, scale: SCALE, latencyMs: LATENCY_MS, say });

  const r = report as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  const targets = {
    evacuateLargeRatio: { value: r.evacuateLarge.ratio, target: '≤ 1.2', met: r.evacuateLarge.ratio <= 1.2 },
    evacuateLargeFailedCalls: { value: r.evacuateLarge.failedCalls, target: '0', met: r.evacuateLarge.failedCalls === 0 },
    evacuateLargeThrottled: { value: r.evacuateLarge.throttledShare, target: '≤ 2%', met: r.evacuateLarge.throttledShare <= 0.02 },
    route53RequestsPerStage: {
      value: r.evacuateLarge.route53ChangeRequestsPerStage,
      target: `≤ ${JSON.stringify(r.evacuateLarge.route53ChangeRequestsAllowedPerStage)}`,
      met: r.evacuateLarge.route53ChangeRequestsPerStage.every((n: number, i: number) => n <= r.evacuateLarge.route53ChangeRequestsAllowedPerStage[i]),
    },
    evacuateRealistic: { value: r.evacuateRealistic.ratio, target: '≤ 1.1 of the critical path', met: r.evacuateRealistic.ratio <= 1.1 },
    evacuateWarm: {
      value: { ratio: r.evacuateWarm.ratio, warmSeconds: r.evacuateWarm.withWarmPools.timeToMitigateSeconds, coldSeconds: r.evacuateWarm.withoutWarmPools.timeToMitigateSeconds },
      target: 'time to mitigate ≤ 0.5 × without warm pools',
      met: r.evacuateWarm.ratio <= 0.5,
    },
    plan10kMedian: { value: r.plan10k.medianMs, target: '≤ 250 ms', met: r.plan10k.medianMs <= 250 },
    apiP99: { value: r.api.p99Ms, target: '≤ 25 ms, no errors', met: r.api.p99Ms <= 25 && r.api.errors === 0 },
    queueLatencyMedian: { value: r.queueLatency.medianMs, target: '≤ 300 ms', met: r.queueLatency.medianMs <= 300 },
    workerPeakRss: { value: r.workerPeakRssMb, target: '≤ 300 MB', met: r.workerPeakRssMb <= 300 },
  };
  const machine = { cpus: cpus().length, node: process.version, quick };
  process.stdout.write(
    `${formatTable(
      ['measure', 'value', 'target', 'met'],
      Object.entries(targets).map(([k, t]) => [k, JSON.stringify(t.value), t.target, t.met ? 'yes' : 'NO']),
    )}\n`,
  );
  process.stdout.write(`${JSON.stringify({ ...report, targets, machine, benchSeconds: round((Date.now() - started) / 1000) })}\n`);
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
