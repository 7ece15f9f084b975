import { Router } from 'express';
import { z } from 'zod';
import { regionCode } from '../../core/intents';
import { switchesView } from '../../operations/region-switches';
import { parseOrThrow } from '../../operations/validation';
import type { ApiDeps } from '../api-deps';
import { bodyOf } from '../json-body';
import { answerSubmission } from './operations';

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
    await answerSubmission(req, res, { kind: 'prepare-switches', ...body }, deps);
  });
  return router;
}
