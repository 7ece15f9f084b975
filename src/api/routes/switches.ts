import { Router } from 'express';
import { z } from 'zod';
import { regionCode } from '../../core/intents';
import { switchesView } from '../../operations/region-switches';
import { submitOperation } from '../../operations/submit-operation';
import { parseOrThrow } from '../../operations/validation';
import { actorOf, idempotencyKeyOf } from '../actor';
import type { ApiDeps } from '../api-deps';
import { bodyOf } from '../json-body';

/** POST /v1/switches/prepare: the regions (all by default); dryRun: true answers the plan and changes nothing. */
export const prepareSwitchesBodySchema = z
  .object({
    regions: z.array(regionCode).min(1).max(50).optional(),
    dryRun: z.boolean().optional(),
    reason: z.string().max(1000).optional(),
  })
  .strict();

/**
 * The region switches: GET /v1/switches reports each region's (alarm state, health check,
 * records missing it); POST /v1/switches/prepare creates or repairs them as a prepare-switches
 * operation, through the same submission as POST /v1/operations (plan first with dryRun).
 */
export function switchesRouter(deps: ApiDeps): Router {
  const router = Router();

  router.get('/', async (_req, res) => {
    res.json(await switchesView(deps));
  });

  router.post('/prepare', async (req, res) => {
    const body = parseOrThrow(prepareSwitchesBodySchema, bodyOf(req.body));
    const requestId = String(res.getHeader('x-request-id'));
    const submitted = await submitOperation({ kind: 'prepare-switches', ...body }, { actor: actorOf(res), idempotencyKey: idempotencyKeyOf(req), requestId }, deps);
    if (submitted.dryRun) {
      res.status(200).json({ dryRun: true, plan: submitted.plan });
      return;
    }
    const { operation } = submitted;
    res
      .status(submitted.created ? 202 : 200)
      .location(operation.links.self)
      .set('Idempotent-Replayed', String(!submitted.created))
      .json({ operation, links: operation.links });
  });
  return router;
}
