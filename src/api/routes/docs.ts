import { Router } from 'express';
import { DOCS_CSS, renderDocsPage } from '../docs-page';
import type { OpenApiDocument } from '../openapi';
import { buildOpenApi } from '../openapi';

/** GET /openapi.json (the OpenAPI 3.1 document) and GET /docs (the same, as a page). Built once, when first asked for. */
export function docsRouter(): Router {
  const router = Router();
  // Built on first request: an API whose docs nobody opens does not spend its start-up on them.
  let docs: { document: OpenApiDocument; page: string } | undefined;
  const built = () => {
    if (!docs) {
      const document = buildOpenApi();
      docs = { document, page: renderDocsPage(document) };
    }
    return docs;
  };
  router.get('/openapi.json', (_req, res) => {
    res.json(built().document);
  });
  router.get('/docs', (_req, res) => {
    res.type('html').send(built().page);
  });
  router.get('/docs/docs.css', (_req, res) => {
    res.type('css').send(DOCS_CSS);
  });
  return router;
}
