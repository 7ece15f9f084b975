/**
 * npm run bench [-- --quick] [-- --only evacuate-realistic,...]: lifeboat against AWS's
 * quotas, through the realism proxy in front of moto, with 20 ms latency per call. Prints a
 * table, and one JSON object on the last line. --quick runs small sizes (the smoke test in
 * npm test does); --only runs the scenarios named (evacuate-large, which plan-10k, api and
 * queue-latency come with, and evacuate-realistic).
 */
import './bench-env';
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { formatTable } from '../../src/text/table';
import { startWorld } from './bench-world';
import type { ProxyProfileInput } from '../../src/sandbox/proxy/proxy-profile';
import { runApiLoad } from './scenarios/api-load';
import { evacuationBound, runEvacuation } from './scenarios/evacuate';
import { runPlanBench } from './scenarios/plan-10k';
import { runQueueLatency } from './scenarios/queue-latency';
import { runEvacuateRealistic } from './scenarios/evacuate-realistic';
import { runEvacuateWarm } from './scenarios/evacuate-warm';
import { round } from './stats';


const quick = process.argv.includes('--quick');
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt >= 0 ? (process.argv[onlyAt + 1] ?? '').split(',') : undefined;
const wanted = (...scenarios: string[]) => !only || scenarios.some((s) => only.includes(s));
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

  let report: Record<string, unknown> = {};
  if (wanted('evacuate-large', 'plan-10k', 'api', 'queue-latency')) report = await runLargeWorld(quotas);
  if (wanted('evacuate-realistic')) await runRealistic(report, quotas);
  if (wanted('evacuate-warm')) {
    say(`evacuate-warm: the realistic evacuation without and with warm pools covering the growth (20 s warm launch), scaled down ${SCALE}×`);
    report.evacuateWarm = await runEvacuateWarm({ regions: REGIONS, services: size.services, stages: 2, scale: SCALE, latencyMs: LATENCY_MS, say });
  }
  printReport(report, started);
}

async function runLargeWorld(quotas: ProxyProfileInput): Promise<Record<string, unknown>> {
  say(`evacuate-large: ${REGIONS.length} regions × ${size.services} services, 2 stages, no launch or DNS delay`);
  const large = await startWorld({
    regions: REGIONS,
    services: size.services,
    desired: 4,
    proxy: quotas,
    env: { LIFEBOAT_DWELL: '0', LIFEBOAT_CAPACITY_POLL_MS: '250', LIFEBOAT_DNS_POLL_MS: '100' },
  });
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
    return { evacuateLarge, plan10k, api, queueLatency, workerPeakRssMb: largeRss };
  } finally {
    await large.stop();
  }
}

async function runRealistic(report: Record<string, unknown>, quotas: ProxyProfileInput): Promise<void> {
  say(`evacuate-realistic: 90 s launch and warm-up, 30 s DNS, scaled down ${SCALE}×; survivors with 30 % headroom; pace stages, then pace capacity`);
  const dwellSeconds = 60 / SCALE;
  report.evacuateRealistic = await runEvacuateRealistic(
    {
      regions: REGIONS,
      services: size.services,
      desired: 4,
      proxy: { ...quotas, name: 'realistic-scaled', timeScale: 1 / SCALE, launch: { launchSeconds: 60, warmupSeconds: 30 }, dns: { propagationSeconds: 30 } },
      // The fleet read a plan starts from is the same for both paces; a busy machine must not refuse it.
      env: { LIFEBOAT_DWELL: String(dwellSeconds), LIFEBOAT_CAPACITY_POLL_MS: '250', LIFEBOAT_DNS_POLL_MS: '100', LIFEBOAT_PLAN_READ_TIMEOUT_MS: '30000' },
      dnsSeconds: 30 / SCALE,
    },
    say,
  );
}

/** The table of every target measured, then the JSON line. */
function printReport(report: Record<string, unknown>, started: number): void {
  const r = report as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  const large = r.evacuateLarge
    ? {
        evacuateLargeRatio: { value: r.evacuateLarge.ratio, target: '≤ 1.2', met: r.evacuateLarge.ratio <= 1.2 },
        evacuateLargeFailedCalls: { value: r.evacuateLarge.failedCalls, target: '0', met: r.evacuateLarge.failedCalls === 0 },
        evacuateLargeThrottled: { value: r.evacuateLarge.throttledShare, target: '≤ 2%', met: r.evacuateLarge.throttledShare <= 0.02 },
        route53RequestsPerStage: {
          value: r.evacuateLarge.route53ChangeRequestsPerStage,
          target: `≤ ${JSON.stringify(r.evacuateLarge.route53ChangeRequestsAllowedPerStage)}`,
          met: r.evacuateLarge.route53ChangeRequestsPerStage.every((n: number, i: number) => n <= r.evacuateLarge.route53ChangeRequestsAllowedPerStage[i]),
        },
        plan10kMedian: { value: r.plan10k.medianMs, target: '≤ 250 ms', met: r.plan10k.medianMs <= 250 },
        apiP99: { value: r.api.p99Ms, target: '≤ 25 ms, no errors', met: r.api.p99Ms <= 25 && r.api.errors === 0 },
        queueLatencyMedian: { value: r.queueLatency.medianMs, target: '≤ 300 ms', met: r.queueLatency.medianMs <= 300 },
        workerPeakRss: { value: r.workerPeakRssMb, target: '≤ 300 MB', met: r.workerPeakRssMb <= 300 },
      }
    : {};
  const realistic = r.evacuateRealistic
    ? {
        evacuateRealisticImpactRatio: {
          value: r.evacuateRealistic.impactRatio,
          target: `≤ 0.5 (impact ${r.evacuateRealistic.capacity.impactShareSeconds} vs ${r.evacuateRealistic.stages.impactShareSeconds} share-s)`,
          met: r.evacuateRealistic.impactRatio <= 0.5,
        },
        evacuateRealisticFirstRelief: {
          value: r.evacuateRealistic.capacity.firstReliefSeconds,
          target: `≤ ${r.evacuateRealistic.firstReliefTargetSeconds} s (2 s + one DNS propagation; stages: ${r.evacuateRealistic.stages.firstReliefSeconds} s)`,
          met: r.evacuateRealistic.capacity.firstReliefSeconds <= r.evacuateRealistic.firstReliefTargetSeconds,
        },
      }
    : {};
  const warm = r.evacuateWarm
    ? {
        evacuateWarm: {
          value: { ratio: r.evacuateWarm.ratio, warmSeconds: r.evacuateWarm.withWarmPools.timeToMitigateSeconds, coldSeconds: r.evacuateWarm.withoutWarmPools.timeToMitigateSeconds },
          target: 'time to mitigate ≤ 0.5 × without warm pools',
          met: r.evacuateWarm.ratio <= 0.5,
        },
      }
    : {};
  const targets = { ...large, ...realistic, ...warm } as Record<string, { value: unknown; target: string; met: boolean }>;
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
