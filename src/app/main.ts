import { serveApi } from './serve-api';
import { createLifeboat } from './create-lifeboat';
import { logger } from '../operations/logger';
import { runMain } from './run-main';

/** npm start: the API and a worker in one process. */
runMain('lifeboat', async () => {
  const lb = createLifeboat();
  const { server, url } = await serveApi(lb);
  lb.startWorker();
  logger.info({ url, regions: lb.deps.settings.LIFEBOAT_REGIONS }, 'lifeboat: API and worker running');
  return async () => {
    server.close();
    await lb.close();
  };
});
