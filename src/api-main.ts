import { buildApp } from './api/app';
import { checkAuthAtStart } from './api/auth-startup';
import { createLifeboat } from './lifeboat';
import { logger } from './logger';
import { runMain } from './run-main';

/** npm run api: the API alone; workers run elsewhere against the same Redis. */
runMain('lifeboat-api', async () => {
  const lb = createLifeboat();
  checkAuthAtStart(lb.auth);
  await lb.ready();
  const { PORT, HOST } = lb.deps.settings;
  const server = buildApp(lb.apiDeps()).listen(PORT, HOST);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  logger.info({ url: `http://${HOST}:${PORT}` }, 'lifeboat: API running');
  return async () => {
    server.close();
    await lb.close();
  };
});
