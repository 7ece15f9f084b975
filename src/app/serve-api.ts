import type { Server } from 'node:http';
import type { Lifeboat } from './create-lifeboat';
import { buildApp } from '../api/app';
import { checkAuthAtStart } from '../api/auth-startup';

/** Checks the tokens and Redis, then listens on HOST:PORT; resolves once it does. */
export async function serveApi(lb: Lifeboat): Promise<{ server: Server; url: string }> {
  checkAuthAtStart(lb.auth);
  await lb.ready();
  const { PORT, HOST } = lb.deps.settings;
  const server = buildApp(lb.apiDeps()).listen(PORT, HOST);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  return { server, url: `http://${HOST}:${PORT}` };
}
