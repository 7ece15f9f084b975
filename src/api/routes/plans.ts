import { Router } from 'express';
import { intentSchema } from '../../core/intents';
import { renderPlan } from '../../text/plan-text';
import { planRequest } from '../../operations/plan-request';
import { parseOrThrow } from '../../operations/validation';
import type { ApiDeps } from '../api-deps';
import { bodyOf } from '../json-body';
import { ResponseCache } from '../response-cache';
import { canonicalJson } from '../../core/canonical-json';

/**
 * POST /v1/plans: the plan for an intent, changing nothing. Text with Accept: text/plain.
 * A plan is a pure function of the fleet read and the intent, so the same intent on the same
 * read is answered from a cache (a restore or a reconcile also depends on lifeboat's records: never cached).
 */
export function plansRouter(deps: ApiDeps): Router {
  const router = Router();
  const answers = new ResponseCache(64);
  const reads = new WeakMap<object, string>();
  let readSerial = 0;
  router.post('/', async (req, res) => {
    const intent = parseOrThrow(intentSchema, bodyOf(req.body), { regions: deps.settings.LIFEBOAT_REGIONS });
    const asText = req.accepts(['application/json', 'text/plain']) === 'text/plain';
    const read = intent.kind === 'restore' || intent.kind === 'reconcile' ? undefined : await deps.snapshots.read();
    let readId = read ? reads.get(read.snapshot) : undefined;
    if (read && !readId) reads.set(read.snapshot, (readId = String(++readSerial)));
    const key = `${asText ? 'text' : 'json'}:${canonicalJson(intent)}`;
    const cached = readId ? answers.get(key, readId, 0) : undefined;
    if (cached) {
      res.type(asText ? 'text/plain' : 'application/json').send(cached);
      return;
    }
    const { plan } = await planRequest(intent, deps, read ? { on: read } : {});
    const body = asText ? `${renderPlan(plan)}\n` : JSON.stringify({ plan });
    if (readId) answers.set(key, readId, body);
    res.type(asText ? 'text/plain' : 'application/json').send(body);
  });
  return router;
}
