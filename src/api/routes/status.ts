import { Router } from 'express';
import type { Redis } from 'ioredis';
import { withDeadline } from '../../operations/deadline';
import type { ApiDeps } from '../api-deps';

const STATUS_TIMEOUT_MS = 2000;

/**
 * GET /v1/status: what lifeboat can reach right now, for people and dashboards: each AWS
 * endpoint (Route 53, Auto Scaling per region; probed, shared for a few seconds), when each
 * region was last read well (a plan uses that reading while the region cannot be read), the
 * workers connected to the operations queue, and Redis: the node this process reaches and
 * its role, and behind Sentinel the master name and how many sentinels monitor it. It answers 200 whatever is
 * down: it reports, it does not judge.
 */
export function statusRouter(deps: ApiDeps): Router {
  const router = Router();
  router.get('/', async (_req, res) => {
    const regions = deps.settings.LIFEBOAT_REGIONS;
    const [aws, workers, redis, lastGood] = await Promise.all([
      deps.reachability ? deps.reachability.checks() : deps.cloud.probe(STATUS_TIMEOUT_MS),
      withDeadline(deps.queue.workersCount(), STATUS_TIMEOUT_MS, 'workers').catch(() => undefined),
      deps.redisTopology ? deps.redisTopology() : redisRole(deps.redis),
      deps.lastGood ? withDeadline(deps.lastGood.ages(regions), STATUS_TIMEOUT_MS, 'last good readings').catch(() => ({})) : Promise.resolve({}),
    ]);
    const down = aws.filter((a) => !a.ok);
    res.json({
      status: {
        checkedAt: deps.clock.now().toISOString(),
        aws: aws.map((a) => ({ service: a.service, region: a.region, ok: a.ok, ...(a.ms !== undefined ? { ms: a.ms } : {}), ...(a.error ? { error: a.error } : {}) })),
        awsDown: down.map((a) => a.target),
        regions: Object.fromEntries(
          regions.map((r) => {
            const probe = aws.find((a) => a.service === 'autoscaling' && a.region === r);
            const readAt = (lastGood as Record<string, string>)[r];
            return [r, { autoscaling: probe ? (probe.ok ? 'up' : 'down') : 'unknown', ...(readAt ? { lastGoodReadAt: readAt } : {}) }];
          }),
        ),
        workers: workers === undefined ? { connected: null, detail: 'Redis did not answer' } : { connected: workers },
        redis,
      },
    });
  });
  return router;
}

/** Redis's role (master, or slave behind a Sentinel failover in progress) and this process's connection to it. */
async function redisRole(redis: Redis): Promise<Record<string, unknown>> {
  try {
    const info = await withDeadline(redis.info('replication'), STATUS_TIMEOUT_MS, 'redis');
    const role = /^role:(\w+)/m.exec(info)?.[1];
    return { connection: redis.status, ...(role ? { role } : {}) };
  } catch (e) {
    return { connection: redis.status, error: e instanceof Error ? e.message : String(e) };
  }
}
