import type { Request, Response } from 'express';
import { Router } from 'express';
import { z } from 'zod';
import { cancelOperation } from '../../operations/activity';
import { FINISHED_STATES, OPERATION_STATES } from '../../operations/operation-types';
import { getOperation, listOperations } from '../../operations/activity';
import { submitOperation } from '../../operations/submit-operation';
import { approveRun } from '../../runbooks/approve-run';
import { parseOrThrow } from '../../operations/validation';
import { actorOf, idempotencyKeyOf } from '../actor';
import type { ApiDeps } from '../api-deps';
import { bodyOf } from '../json-body';
import { ResponseCache } from '../response-cache';

const commaList = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values)));

export const listQuerySchema = z
  .object({
    state: commaList(OPERATION_STATES).optional(),
    kind: commaList(['evacuate', 'shift', 'restore', 'scale', 'runbook', 'reconcile', 'prepare-switches', 'prepare-dark-capacity', 'release-dark-capacity'] as const).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
  })
  .strict();

export const cancelBodySchema = z.object({ rollback: z.boolean().optional() }).strict();
export const approveBodySchema = z.object({ decision: z.enum(['approve', 'reject']).optional(), comment: z.string().max(2000).optional() }).strict();
export const operationIdSchema = z.string().regex(/^(op|run)_[A-Za-z0-9_.-]{1,200}$/, 'an operation id such as op_lq3k2x_0a1b2c3d4e5f');

/**
 * Submit an operation request and answer as POST /v1/operations does: 200 with the plan for a
 * dry run, 202 with Location for a new operation, 200 with Idempotent-Replayed for a replay.
 * Every route that starts an operation answers through here.
 */
export async function answerSubmission(req: Request, res: Response, body: unknown, deps: ApiDeps): Promise<void> {
  const requestId = String(res.getHeader('x-request-id'));
  const submitted = await submitOperation(body, { actor: actorOf(res), idempotencyKey: idempotencyKeyOf(req), requestId }, deps);
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
}

export function operationsRouter(deps: ApiDeps): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    await answerSubmission(req, res, bodyOf(req.body), deps);
  });

  router.get('/', async (req, res) => {
    const query = parseOrThrow(listQuerySchema, req.query);
    const operations = await listOperations({ ...(query.state ? { state: query.state } : {}), ...(query.kind ? { kind: query.kind } : {}), ...(query.limit ? { limit: query.limit } : {}) }, deps);
    res.json({ operations });
  });

  // An operation's view is rebuilt only when its revision moves (the worker bumps it on every
  // checkpoint and progress report); one still running is kept a second at most, in case its
  // job ends without a checkpoint (a crash).
  const views = new ResponseCache();
  router.get('/:id', async (req, res) => {
    const id = parseOrThrow(operationIdSchema, req.params.id);
    const [revision, cancel] = await Promise.all([deps.store.revision(id), deps.store.cancelRequest(id)]);
    const version = `${revision}:${cancel ? 'c' : ''}`;
    const now = Date.now();
    const cached = views.get(id, version, now);
    if (cached) {
      res.type('application/json').send(cached);
      return;
    }
    const operation = await getOperation(id, deps, { cancelRequest: cancel }); // the cancel request is read already
    const body = JSON.stringify({ operation });
    if (revision !== '0') views.set(id, version, body, FINISHED_STATES.includes(operation.state) ? undefined : now + 1000);
    res.type('application/json').send(body);
  });

  router.post('/:id/cancel', async (req, res) => {
    const id = parseOrThrow(operationIdSchema, req.params.id);
    const body = parseOrThrow(cancelBodySchema, bodyOf(req.body));
    const operation = await cancelOperation(id, { by: actorOf(res), ...(body.rollback !== undefined ? { rollback: body.rollback } : {}) }, deps);
    res.status(202).json({ operation, links: operation.links });
  });

  router.post('/:id/approve', async (req, res) => {
    const id = parseOrThrow(operationIdSchema, req.params.id);
    const body = parseOrThrow(approveBodySchema, bodyOf(req.body));
    const operation = await approveRun(id, { by: actorOf(res), twoPersonRule: deps.settings.LIFEBOAT_TWO_PERSON_RULE, ...body }, deps);
    res.status(200).json({ operation, links: operation.links });
  });

  return router;
}
