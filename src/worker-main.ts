import { hostname } from 'node:os';
import { createLifeboat } from './lifeboat';
import { logger } from './logger';
import { runMain } from './run-main';

/** npm run worker: one worker; run as many as you like, on as many machines, against one Redis. */
runMain('lifeboat-worker', async () => {
  const lb = createLifeboat();
  await lb.ready();
  const worker = lb.startWorker(`${hostname()}:${process.pid}`);
  worker.on('failed', (job, err) => logger.warn({ operationId: job?.id, err: err.message }, 'operation attempt failed'));
  worker.on('completed', (job) => logger.info({ operationId: job.id, state: job.data.checkpoint.state }, 'operation finished'));
  await worker.waitUntilReady();
  logger.info({ prefix: lb.deps.settings.LIFEBOAT_REDIS_PREFIX }, 'lifeboat: worker running');
  return () => lb.close();
});
