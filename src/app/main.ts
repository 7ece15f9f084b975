import { serveApi } from './serve-api';
import { createLifeboat } from './create-lifeboat';
import { logger } from '../operations/logger';
import { runMain } from './run-main';

/** npm start: the API and a worker in one process. */
runMain('lifeboat', async () => {
  const lb = createLifeboat();
  const { server, url } = await serveApi(lb);
  lb.startWorker();
  // The readiness recompute and the runbook schedules: once in Redis, however many processes start them.
  await lb.startMaintenance();
  logger.info({ url, regions: lb.deps.settings.LIFEBOAT_REGIONS }, 'lifeboat: API and worker running');
  return async () => {
    server.close();
    await lb.close();
  };
});
