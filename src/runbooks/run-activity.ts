import type { ActivitySource } from '../operations/activity';
import type { WorkQueue } from '../operations/ports/work-queue';
import type { RunData } from './run-types';
import { runViewOf } from './run-view';

/** Runbook runs as an activity source: read, listed and cancelled by id like operations. */
export function runActivity(runs: WorkQueue<RunData>): ActivitySource {
  return {
    get: async (id, { cancelRequested }) => {
      const found = await runs.get(id);
      return found ? runViewOf(found, { cancelRequested }) : undefined;
    },
    list: async (limit) => (await runs.list(limit)).map((q) => runViewOf(q)),
  };
}
