import { join } from 'node:path';
import express, { Router } from 'express';

/**
 * The dashboard: `/` and its files under /dashboard/, served without a token. The page holds
 * no data; everything it shows comes from the authenticated API, with the browser session
 * (routes/session.ts). Plain HTML, CSS and JavaScript, no build step and nothing from the
 * internet, so the API's CSP (default-src 'self') holds.
 */

/** Where the files are: beside this folder, in src/api/ and, copied by `npm run build`, in dist/src/api/. */
const DASHBOARD_DIR = join(__dirname, '..', 'dashboard');

export function dashboardRouter(): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    res.sendFile('index.html', { root: DASHBOARD_DIR, cacheControl: false });
  });
  // cacheControl off: the API's Cache-Control: no-store stays, so a new version is never stale.
  router.use('/dashboard', express.static(DASHBOARD_DIR, { index: false, redirect: false, cacheControl: false, dotfiles: 'ignore' }));
  return router;
}
