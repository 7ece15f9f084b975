import { Router } from 'express';
import { DOCS_CSS, renderDocsPage } from '../docs-page';
import { buildOpenApi } from '../openapi';

/** GET /openapi.json (the OpenAPI 3.1 document) and GET /docs (the same, as a page). Built once. */
export function docsRouter(): Router {
  const router = Router();
  const document = buildOpenApi();
  const page = renderDocsPage(document);
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.get('/docs', (_req, res) => {
    res.type('html').send(page);
  });
  router.get('/docs/docs.css', (_req, res) => {
    res.type('css').send(DOCS_CSS);
  });
  return router;
}
