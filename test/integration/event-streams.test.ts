import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DryRunCloud } from '../../src/cloud/dry-run/dry-run-cloud';
import type { TestApi } from '../support/api-client';
import { startApi } from '../support/api-client';
import { apiInThreeRegions, fleetReading } from '../support/fleet-fixture';
import type { TestLifeboat } from '../support/harness';
import { TEST_TOKENS, testLifeboat } from '../support/harness';

/**
 * Server-sent event streams cost no Redis connection each (issue 17, item 4): every stream of
 * a process follows its operation through one shared reader, and a token may hold only so
 * many streams at once. The lifeboat runs no worker: its runs stay queued, and their events
 * are what the test publishes.
 */

const STREAMS = 60;
// A lifeboat for each test: the shared reader one test opens, and the streams a token holds,
// are not there for the next test to find (the tests run in a shuffled order).
let lb: TestLifeboat;
let api: TestApi;
beforeEach(async () => {
  lb = testLifeboat(new DryRunCloud(fleetReading(apiInThreeRegions())), { LIFEBOAT_SSE_STREAMS_PER_TOKEN: String(STREAMS) });
  api = await startApi(lb);
});
afterEach(async () => {
  await api.close();
  await lb.close();
});

/** Connections to Redis named for this lifeboat's event streams (CLIENT LIST). */
async function streamConnections(): Promise<string[]> {
  const prefix = lb.deps.settings.LIFEBOAT_REDIS_PREFIX;
  return ((await lb.redis.client('LIST')) as string)
    .split('\n')
    .map((line) => /(?:^| )name=(\S*)/.exec(line)?.[1] ?? '')
    .filter((name) => name.startsWith('lifeboat-sse:') && (name.includes(prefix) || name.startsWith('lifeboat-sse:run_')));
}

/** A stream read until `predicate` holds for what it received (or the time runs out). */
async function open(id: string, token: string = TEST_TOKENS.viewer) {
  const abort = new AbortController();
  const res = await fetch(`${api.url}/v1/operations/${id}/events`, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
  let text = '';
  const waiters: Array<() => void> = [];
  void (async () => {
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
        waiters.splice(0).forEach((w) => w());
      }
    } catch {
      // aborted
    }
  })();
  return {
    status: res.status,
    close: () => abort.abort(),
    async until(predicate: (text: string) => boolean, ms = 5000): Promise<string> {
      const deadline = Date.now() + ms;
      while (!predicate(text)) {
        if (Date.now() > deadline) throw new Error(`stream of ${id}: not within ${ms} ms; got ${JSON.stringify(text)}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
      return text;
    },
  };
}

async function queuedRuns(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await api.call('POST', '/v1/runbooks/readiness-report/runs', { body: { params: {} } });
    expect(res.status, res.text).toBe(202);
    ids.push(res.body.operation.id as string);
  }
  return ids;
}

describe('event streams', () => {
  it(`serve ${STREAMS} streams of one viewer from one shared Redis reader, each getting its own events live`, async () => {
    const ids = await queuedRuns(STREAMS);
    expect(await streamConnections()).toEqual([]);
    const streams = await Promise.all(ids.map((id) => open(id)));
    try {
      expect(streams.map((s) => s.status)).toEqual(Array(STREAMS).fill(200));
      await Promise.all(streams.map((s) => s.until((t) => t.includes('retry:'))));
      // Each operation gets an event of its own, published after every stream was open: it arrives live, through the one reader.
      for (const id of ids) await lb.deps.events.publish({ type: 'step.started', operationId: id, kind: 'runbook', at: new Date().toISOString(), data: { step: `for-${id}` } });
      const received = await Promise.all(streams.map((s, i) => s.until((t) => t.includes(`for-${ids[i]}`))));
      received.forEach((text, i) => expect(text.match(/"step":"for-[^"]+"/g)).toEqual([`"step":"for-${ids[i]}"`]));
      expect(await streamConnections()).toEqual([`lifeboat-sse:${lb.deps.settings.LIFEBOAT_REDIS_PREFIX}`]);
    } finally {
      streams.forEach((s) => s.close());
    }
  }, 60_000);

  it('refuse a token more streams than LIFEBOAT_SSE_STREAMS_PER_TOKEN, and give them back as clients leave', async () => {
    const [id] = await queuedRuns(1);
    const mine = await Promise.all(Array.from({ length: STREAMS }, () => open(id!, TEST_TOKENS.operator)));
    try {
      expect(mine.every((s) => s.status === 200)).toBe(true);
      const over = await api.call('GET', `/v1/operations/${id}/events`, { headers: { authorization: `Bearer ${TEST_TOKENS.operator}` } });
      expect(over.status).toBe(429);
      expect(over.body.error).toMatchObject({ code: 'LB_ERR_RATE_LIMITED', details: { open: STREAMS, limit: STREAMS } });
      // Another token has streams of its own.
      const other = await open(id!, TEST_TOKENS.approver);
      expect(other.status).toBe(200);
      other.close();
      mine[0]!.close();
      let again: Awaited<ReturnType<typeof open>> | undefined;
      for (const until = Date.now() + 5000; Date.now() < until && again?.status !== 200; await new Promise((r) => setTimeout(r, 50))) {
        again?.close();
        again = await open(id!, TEST_TOKENS.operator);
      }
      expect(again?.status).toBe(200);
      again?.close();
    } finally {
      mine.forEach((s) => s.close());
    }
  }, 60_000);
});
