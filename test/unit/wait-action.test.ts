import { describe, expect, it } from 'vitest';
import type { ActionContext } from '../../src/runbooks/action-context';
import { waitAction } from '../../src/runbooks/actions/flow-actions';

/**
 * A runbook's `wait: {seconds}` step counts from when the step first started (its record's
 * startedAt), so a run taken over by another worker waits only what is left: the sleeps it
 * asks for are recorded, on a clock that stands still.
 */
function waitStep(seconds: number, nowMs: number, startedAtMs?: number) {
  const sleeps: number[] = [];
  const ctx = {
    step: { id: 'long', action: 'wait', inputs: { seconds } },
    inputs: { seconds },
    record: { id: 'long', stepId: 'long', state: 'running', attempts: 2, ...(startedAtMs !== undefined ? { startedAt: new Date(startedAtMs).toISOString() } : {}) },
    deps: { clock: { now: () => new Date(nowMs) } },
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
  } as unknown as ActionContext;
  return { ctx, sleeps };
}

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('the wait action ({seconds})', () => {
  it('waits the whole time when the step starts now', async () => {
    const { ctx, sleeps } = waitStep(4, NOW, NOW);
    expect(await waitAction(ctx)).toEqual({ outcome: 'waited 4 s', outputs: { seconds: 4 } });
    expect(sleeps).toEqual([4000]);
  });

  it('resumed 2.5 s after the step first started, waits only the 1.5 s left', async () => {
    const { ctx, sleeps } = waitStep(4, NOW + 2500, NOW);
    expect(await waitAction(ctx)).toEqual({ outcome: 'waited 4 s', outputs: { seconds: 4 } });
    expect(sleeps).toEqual([1500]);
  });

  it('resumed after its time has passed, does not wait at all', async () => {
    const { ctx, sleeps } = waitStep(4, NOW + 4000, NOW);
    expect(await waitAction(ctx)).toEqual({ outcome: 'waited 4 s', outputs: { seconds: 4 } });
    expect(sleeps).toEqual([]);
  });

  it('with no start recorded, counts from now', async () => {
    const { ctx, sleeps } = waitStep(4, NOW);
    await waitAction(ctx);
    expect(sleeps).toEqual([4000]);
  });
});
