import { buildApp } from './api/app';
import { checkAuthAtStart } from './api/auth-startup';
import { createLifeboat } from './lifeboat';
import { logger } from './logger';
import { runMain } from './run-main';

/** npm start: the API and a worker in one process. */
runMain('lifeboat', async () => {
  const lb = createLifeboat();
  checkAuthAtStart(lb.auth);
  await lb.ready();
  const { PORT, HOST } = lb.deps.settings;
  const server = buildApp(lb.apiDeps()).listen(PORT, HOST);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  lb.startWorker();
  logger.info({ url: `http://${HOST}:${PORT}`, regions: lb.deps.settings.LIFEBOAT_REGIONS }, 'lifeboat: API and worker running');
  return async () => {
    server.close();
    await lb.close();
  };
});
