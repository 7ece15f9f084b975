import { Router } from 'express';
import { z } from 'zod';
import { regionCode } from '../../core/intents';
import { parseOrThrow } from '../../operations/validation';
import type { ApiDeps } from '../api-deps';

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO 8601 time such as 2026-11-24T10:00:00Z');

export const auditQuerySchema = z
  .object({
    from: isoTime.optional(),
    to: isoTime.optional(),
    actor: z.string().max(200).optional(),
    operation: z.string().max(200).optional(),
    region: regionCode.optional(),
    action: z.string().max(100).optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
  })
  .strict();

/** GET /v1/audit: who changed what, newest first, filtered by time, actor, operation, region, action. */
export function auditRouter(deps: ApiDeps): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const q = parseOrThrow(auditQuerySchema, req.query);
    const records = await deps.audit.query({
      ...(q.from ? { from: new Date(q.from) } : {}),
      ...(q.to ? { to: new Date(q.to) } : {}),
      ...(q.actor ? { actor: q.actor } : {}),
      ...(q.operation ? { operationId: q.operation } : {}),
      ...(q.region ? { region: q.region } : {}),
      ...(q.action ? { action: q.action } : {}),
      ...(q.limit ? { limit: q.limit } : {}),
    });
    res.json({ records, retentionDays: deps.settings.LIFEBOAT_AUDIT_RETENTION_DAYS });
  });
  return router;
}
