import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProcessChecks } from '../process-checks';
import { readinessAnswer } from '../process-checks';
import type { LifeboatMetrics } from './lifeboat-metrics';

/**
 * The port of a process without the API (npm run worker with LIFEBOAT_WORKER_METRICS_PORT):
 * GET /metrics, and what an orchestrator probes: /healthz (alive) and /readyz (Redis answers
 * this process and its workers run; 503 while it hands its work over on SIGTERM). It has no
 * authentication, so it listens on the loopback interface unless told otherwise.
 */
export async function startMetricsServer(
  metrics: LifeboatMetrics,
  port: number,
  host = '127.0.0.1',
  checks?: () => Promise<ProcessChecks>,
): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const paths = new Set(['/metrics', ...(checks ? ['/healthz', '/readyz'] : [])]);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (!paths.has(path) || (req.method !== 'GET' && req.method !== 'HEAD')) {
      const known = paths.has(path);
      res.writeHead(known ? 405 : 404, { 'content-type': 'text/plain; charset=utf-8' }).end(known ? 'GET only\n' : `only ${[...paths].join(', ')} here\n`);
      return;
    }
    const answer = path === '/metrics' ? scrape(metrics) : path === '/healthz' ? Promise.resolve(json(200, { status: 'ok' })) : ready(checks!);
    answer.then(
      ({ status, contentType, body }) => {
        res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (e: unknown) => failed(res, e),
    );
  });
  server.listen(port, host);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${shown}:${address.port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

async function scrape(metrics: LifeboatMetrics): Promise<Answer> {
  const { contentType, body } = await metrics.scrape();
  return { status: 200, contentType, body };
}

async function ready(checks: () => Promise<ProcessChecks>): Promise<Answer> {
  const { status, body } = readinessAnswer(await checks());
  return json(status, body);
}

function json(status: number, body: unknown): Answer {
  return { status, contentType: 'application/json; charset=utf-8', body: `${JSON.stringify(body)}\n` };
}

function failed(res: ServerResponse, e: unknown): void {
  res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`failed: ${e instanceof Error ? e.message : String(e)}\n`);
}
