import type { FleetSnapshot } from '../src/core/fleet';
import { intentSchema } from '../src/core/intents';
import type { Plan } from '../src/core/planner/plan-types';
import { takeSnapshot } from '../src/operations/fleet-snapshot';
import { planRequest } from '../src/operations/plan-request';
import { parseOrThrow } from '../src/operations/validation';
import { fleetTable } from '../src/text/fleet-text';
import { renderPlan } from '../src/text/plan-text';
import type { ReplSession } from './repl-session';
import { planSummary, summarized } from './summaries';

/** The commands that look and change nothing: fleet() and plan(). */
export interface LookCommands {
  fleet(): Promise<FleetSnapshot>;
  plan(intent: unknown): Promise<Plan>;
}

const MAX_WARNINGS_SHOWN = 10;

export function lookCommands({ deps, out }: ReplSession): LookCommands {
  return {
    async fleet() {
      const [snapshot, evacuated] = await Promise.all([takeSnapshot(deps.cloud), deps.store.evacuatedRegions(deps.settings.LIFEBOAT_REGIONS)]);
      const lines = [`Fleet at ${snapshot.takenAt}: ${snapshot.regions.join(', ')}`, fleetTable(snapshot)];
      if (evacuated.length > 0) lines.push(`Evacuated (on record, restore() brings back): ${evacuated.join(', ')}`);
      if (snapshot.warnings.length > 0) {
        lines.push(`Warnings (${snapshot.warnings.length}):`, ...snapshot.warnings.slice(0, MAX_WARNINGS_SHOWN).map((w) => `  - ${w.code}: ${w.message}`));
        if (snapshot.warnings.length > MAX_WARNINGS_SHOWN) lines.push(`  … ${snapshot.warnings.length - MAX_WARNINGS_SHOWN} more in .warnings`);
      }
      out(lines.join('\n'));
      return summarized(
        snapshot,
        () => `FleetSnapshot { ${snapshot.regions.length} region(s), ${snapshot.groups.length} group(s), ${snapshot.records.length} record(s), ${snapshot.warnings.length} warning(s) — .capacity .traffic .groups .records }`,
      );
    },

    async plan(intent) {
      const { plan } = await planRequest(parseOrThrow(intentSchema, intent, { regions: deps.settings.LIFEBOAT_REGIONS }), deps);
      out(renderPlan(plan));
      return summarized(plan, () => planSummary(plan));
    },
  };
}
