/**
 * A second process that sends POST /v1/plans and GET /v1/operations/:id at a fixed rate, and
 * after every fourth of them a GET of a bare Express route served by the same API process
 * (lifeboat's cost is measured against that floor, in the same run, under the same load)
 * (open loop: each request leaves at its scheduled time, whatever the others do), and prints
 * the latencies as one JSON line. The first WARMUP_SECONDS run at the same rate unmeasured
 * (connections opened, code compiled on both sides, caches filled), as benchmarks do.
 * Arguments: url token operationId ratePerSecond seconds bareRoute.
 */
const WARMUP_SECONDS = 2;
import { median, percentile, round } from './stats';

const [url, token, operationId, rateArg, secondsArg, bareRoute] = process.argv.slice(2);
const rate = Number(rateArg);
const seconds = Number(secondsArg);

async function main() {
  const latencies: Record<string, number[]> = { plan: [], operation: [], bare: [] };
  const errors: Record<string, number> = { plan: 0, operation: 0, bare: 0 };
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const body = JSON.stringify({ kind: 'evacuate', region: 'us-west-2' });
  const warmup = Math.round(rate * WARMUP_SECONDS);
  const total = warmup + Math.round(rate * seconds);
  const start = performance.now() + 200;
  type Kind = 'plan' | 'operation' | 'bare';
  const schedule: Array<{ at: number; kind: Kind; measured: boolean }> = [];
  for (let i = 0; i < total; i++) {
    const measured = i >= warmup;
    schedule.push({ at: start + (i * 1000) / rate, kind: i % 2 === 0 ? 'plan' : 'operation', measured });
    // Half-way to the next request, so the floor is sampled between lifeboat's requests.
    if (bareRoute && i % 4 === 3) schedule.push({ at: start + ((i + 0.5) * 1000) / rate, kind: 'bare', measured });
  }
  const send = (kind: Kind) =>
    kind === 'plan' ? fetch(`${url}/v1/plans`, { method: 'POST', headers, body }) : kind === 'operation' ? fetch(`${url}/v1/operations/${operationId}`, { headers }) : fetch(`${url}${bareRoute}`);
  const inFlight: Array<Promise<void>> = [];
  for (const { at, kind, measured } of schedule) {
    const wait = at - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const sent = performance.now();
    inFlight.push(
      send(kind)
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
      bare: { ...summary(latencies.bare!), errors: errors.bare },
    })}\n`,
  );
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
