import { serveApi } from './serve-api';
import { createLifeboat } from './create-lifeboat';
import { logger } from '../operations/logger';
import { runMain } from './run-main';

/** npm run api: the API alone; workers run elsewhere against the same Redis. */
runMain('lifeboat-api', async () => {
  const lb = createLifeboat();
  const { server, url } = await serveApi(lb);
  logger.info({ url }, 'lifeboat: API running');
  return async () => {
    server.close();
    await lb.close();
  };
});
