import { join } from 'node:path';
import express, { Router } from 'express';
import { packageRoot } from '../../operations/package-root';

/**
 * The dashboard: `/` and its files under /dashboard/, served without a token. The page holds
 * no data; everything it shows comes from the authenticated API, with the browser session
 * (routes/session.ts). Plain HTML, CSS and JavaScript, no build step and nothing from the
 * internet, so the API's CSP (default-src 'self') holds.
 */

/** Where the files are: in the sources, for the compiled API too (the build copies no assets). */
const DASHBOARD_DIR = join(packageRoot(), 'src', 'api', 'dashboard');

export function dashboardRouter(): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    res.sendFile('index.html', { root: DASHBOARD_DIR, cacheControl: false });
  });
  // cacheControl off: the API's Cache-Control: no-store stays, so a new version is never stale.
  router.use('/dashboard', express.static(DASHBOARD_DIR, { index: false, redirect: false, cacheControl: false, dotfiles: 'ignore' }));
  return router;
}
