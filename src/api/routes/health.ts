import { Router } from 'express';
import { withDeadline } from '../../operations/deadline';
import type { ApiDeps } from '../api-deps';

const PROBE_TIMEOUT_MS = 2000;

interface Check {
  ok: boolean;
  detail?: string;
}

/** /readyz: Redis, AWS and at least one worker, each named. (/healthz is in app.ts, before authentication.) */
export function healthRouter(deps: ApiDeps): Router {
  const router = Router();

  router.get('/readyz', async (_req, res) => {
    const checks: Record<string, Check> = {};
    const redisUp = deps.redis.status === 'ready';
    checks.redis = redisUp ? { ok: true } : { ok: false, detail: `connection is ${deps.redis.status}` };
    const [aws, workers] = await Promise.all([
      deps.cloud.probe(PROBE_TIMEOUT_MS),
      redisUp ? withDeadline(deps.queue.workersCount(), PROBE_TIMEOUT_MS, 'workers').catch(() => -1) : Promise.resolve(-1),
    ]);
    const awsDown = aws.filter((a) => !a.ok);
    checks.aws = awsDown.length === 0 ? { ok: true, detail: aws.map((a) => a.target).join(', ') } : { ok: false, detail: awsDown.map((a) => `${a.target}: ${a.error}`).join('; ') };
    checks.workers = workers > 0 ? { ok: true, detail: `${workers} connected` } : { ok: false, detail: workers === 0 ? 'no worker is connected to the operations queue' : 'cannot ask Redis' };
    const failing = Object.entries(checks).filter(([, c]) => !c.ok).map(([name]) => name);
    if (failing.length === 0) {
      res.json({ status: 'ready', checks });
      return;
    }
    res.status(503).json({
      status: 'unavailable',
      checks,
      error: { code: 'LB_ERR_DEPENDENCY_DOWN', message: `not ready: ${failing.join(', ')} ${failing.length > 1 ? 'are' : 'is'} down`, hint: 'See checks for what failed.', details: { failing } },
    });
  });
  return router;
}
