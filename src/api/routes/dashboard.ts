import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router } from 'express';

/**
 * The dashboard: `/` and its files under /dashboard/, served without a token. The page holds
 * no data; everything it shows comes from the authenticated API, with the browser session
 * (routes/session.ts). Plain HTML, CSS and JavaScript, no build step and nothing from the
 * internet, so the API's CSP (default-src 'self') holds.
 */

/** Where the files are: beside this module in the sources; from dist/, back in src/. */
export function dashboardDir(): string {
  const candidates = [join(__dirname, '..', 'dashboard'), join(__dirname, '..', '..', '..', '..', 'src', 'api', 'dashboard')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0]!;
}

export function dashboardRouter(dir = dashboardDir()): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    res.sendFile('index.html', { root: dir, cacheControl: false });
  });
  // cacheControl off: the API's Cache-Control: no-store stays, so a new version is never stale.
  router.use('/dashboard', express.static(dir, { index: false, redirect: false, cacheControl: false, dotfiles: 'ignore' }));
  return router;
}
