/**
 * A second process that sends POST /v1/plans and GET /v1/operations/:id at a fixed rate
 * (open loop: each request leaves at its scheduled time, whatever the others do), and prints
 * the latencies as one JSON line. The first WARMUP_SECONDS run at the same rate unmeasured
 * (connections opened, code compiled on both sides, caches filled), as benchmarks do.
 * Arguments: url token operationId ratePerSecond seconds.
 */
const WARMUP_SECONDS = 2;
import { median, percentile, round } from './stats';

const [url, token, operationId, rateArg, secondsArg] = process.argv.slice(2);
const rate = Number(rateArg);
const seconds = Number(secondsArg);

async function main() {
  const latencies: Record<string, number[]> = { plan: [], operation: [] };
  const errors: Record<string, number> = { plan: 0, operation: 0 };
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const body = JSON.stringify({ kind: 'evacuate', region: 'us-west-2' });
  const warmup = Math.round(rate * WARMUP_SECONDS);
  const total = warmup + Math.round(rate * seconds);
  const start = performance.now() + 200;
  const inFlight: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const measured = i >= warmup;
    const at = start + (i * 1000) / rate;
    const wait = at - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const kind = i % 2 === 0 ? 'plan' : 'operation';
    const sent = performance.now();
    inFlight.push(
      (kind === 'plan' ? fetch(`${url}/v1/plans`, { method: 'POST', headers, body }) : fetch(`${url}/v1/operations/${operationId}`, { headers }))
        .then(async (res) => {
          await res.arrayBuffer();
          const ms = performance.now() - sent;
          if (!measured) return;
          latencies[kind]!.push(ms);
          if (process.env.LOADGEN_TRACE && ms > 50) process.stderr.write(`slow ${kind} at ${Math.round(sent - start)} ms: ${Math.round(ms)} ms (${res.status})\n`);
          if (res.status !== 200) errors[kind]! += 1;
        })
        .catch(() => {
          if (measured) errors[kind]! += 1;
        }),
    );
  }
  await Promise.all(inFlight);
  const all = [...latencies.plan!, ...latencies.operation!];
  const summary = (xs: number[]) => ({ count: xs.length, p50Ms: round(median(xs)), p99Ms: round(percentile(xs, 99)) });
  process.stdout.write(
    `${JSON.stringify({
      ratePerSecond: rate,
      seconds,
      requests: total - warmup,
      warmupSeconds: WARMUP_SECONDS,
      errors: errors.plan! + errors.operation!,
      ...summary(all),
      plan: { ...summary(latencies.plan!), errors: errors.plan },
      operation: { ...summary(latencies.operation!), errors: errors.operation },
    })}\n`,
  );
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
