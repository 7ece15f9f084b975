import { hostname } from 'node:os';
import { createLifeboat } from './create-lifeboat';
import { logger } from '../operations/logger';
import { startMetricsServer } from '../api/metrics/metrics-server';
import { runMain } from './run-main';

/** npm run worker: one worker; run as many as you like, on as many machines, against one Redis. */
runMain('lifeboat-worker', async () => {
  const lb = createLifeboat();
  await lb.ready();
  const worker = lb.startWorker(`${hostname()}:${process.pid}`);
  worker.on('failed', (job, err) => logger.warn({ operationId: job?.id, err: err.message }, 'operation attempt failed'));
  // The runner logs "operation finished" itself, with the operation's fields.
  worker.on('completed', (job) => logger.debug({ operationId: job.id, state: job.data.checkpoint.state }, 'job completed'));
  await worker.waitUntilReady();
  // The readiness recompute and the runbook schedules: once in Redis, however many processes start them.
  await lb.startMaintenance();
  // A worker alone has no API: it serves its metrics and its health (/healthz, /readyz, for an
  // orchestrator's probes) itself when asked to (no authentication: loopback by default).
  const { LIFEBOAT_WORKER_METRICS_PORT: metricsPort, LIFEBOAT_WORKER_METRICS_HOST: metricsHost } = lb.deps.settings;
  const metricsServer = metricsPort !== undefined ? await startMetricsServer(lb.metrics, metricsPort, metricsHost, () => lb.processChecks()) : undefined;
  logger.info({ prefix: lb.deps.settings.LIFEBOAT_REDIS_PREFIX, ...(metricsServer ? { metrics: metricsServer.url } : {}) }, 'lifeboat: worker running');
  return async () => {
    // Hand the work over first; the health port answers 503 (stopping) meanwhile, then closes.
    await lb.close();
    await metricsServer?.close();
  };
});
