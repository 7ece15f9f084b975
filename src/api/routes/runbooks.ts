import express, { Router } from 'express';
import { z } from 'zod';
import { isLifeboatError } from '../../core/errors';
import type { Runbook } from '../../core/runbooks/runbook-schema';
import { parseOrThrow } from '../../operations/validation';
import { runbookNamed } from '../../runbooks/runbook-catalog';
import { startRun } from '../../runbooks/start-run';
import { triggerRun } from '../../runbooks/trigger-run';
import { actorOf } from '../actor';
import type { ApiDeps } from '../api-deps';
import { BODY_LIMIT, bodyOf } from '../json-body';
import type { UnauthenticatedRefusals } from '../unauthenticated-refusals';

export const runBodySchema = z.object({ params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}) }).strict();

function describe(r: Runbook) {
  return {
    name: r.name,
    description: r.description,
    parameters: r.parameters,
    steps: r.steps.map((s) => ({ id: s.id, action: s.action, ...(s.description ? { description: s.description } : {}), ...(s.when ? { when: s.when } : {}), onFailure: s.onFailure })),
    rollback: r.rollback.map((s) => ({ id: s.id, action: s.action })),
    links: { runs: `/v1/runbooks/${r.name}/runs` },
  };
}

export function runbooksRouter(deps: ApiDeps): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    res.json({ runbooks: [...deps.runbooks.values()].map(describe) });
  });
  router.get('/:name', (req, res) => {
    res.json({ runbook: describe(runbookNamed(deps.runbooks, req.params.name)) });
  });
  router.post('/:name/runs', async (req, res) => {
    const body = parseOrThrow(runBodySchema, bodyOf(req.body));
    const run = await startRun(req.params.name, body.params, { actor: actorOf(res) }, deps);
    res.status(202).location(run.links.self).json({ operation: run, links: run.links });
  });
  return router;
}

/**
 * POST /v1/runbooks/:name/trigger: alarm webhooks. The raw body is kept for the HMAC, so
 * this route parses its own body instead of the JSON parser in front of /v1.
 */
export function triggerRouter(deps: ApiDeps & { refusals: UnauthenticatedRefusals }): Router {
  const router = Router();
  router.post('/:name/trigger', express.raw({ type: () => true, limit: BODY_LIMIT }), async (req, res) => {
    const run = await triggerRun(
      {
        runbook: req.params.name,
        rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
        method: req.method,
        signature: req.get('x-lifeboat-signature'),
        timestamp: req.get('x-lifeboat-timestamp'),
        triggerId: req.get('x-lifeboat-trigger-id'),
        source: req.get('x-lifeboat-trigger') ?? 'webhook',
      },
      deps,
    ).catch(async (e: unknown) => {
      // Anyone can send an unsigned request: those are counted and sampled, not each audited.
      if (isLifeboatError(e) && e.code === 'LB_ERR_TRIGGER_SIGNATURE') await deps.refusals.record(req, 'bad_trigger_signature', { code: e.code, message: e.message }, 'run.trigger');
      throw e;
    });
    res.status(202).location(run.links.self).json({ operation: run, links: run.links });
  });
  return router;
}
