import { Router } from 'express';
import { intentSchema } from '../../core/intents';
import { renderPlan } from '../../core/planner/render-plan';
import { planRequest } from '../../operations/plan-request';
import { parseOrThrow } from '../../operations/validation';
import type { ApiDeps } from '../api-deps';
import { bodyOf } from '../json-body';

/** POST /v1/plans: the plan for an intent, changing nothing. Text with Accept: text/plain. */
export function plansRouter(deps: ApiDeps): Router {
  const router = Router();
  router.post('/', async (req, res) => {
    const intent = parseOrThrow(intentSchema, bodyOf(req.body));
    const { plan } = await planRequest(intent, deps);
    if (req.accepts(['application/json', 'text/plain']) === 'text/plain') {
      res.type('text/plain').send(`${renderPlan(plan)}\n`);
      return;
    }
    res.json({ plan });
  });
  return router;
}
