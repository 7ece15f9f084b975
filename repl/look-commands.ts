import type { FleetSnapshot } from '../src/core/fleet';
import { intentSchema } from '../src/core/intents';
import type { ReadinessReport } from '../src/core/readiness';
import type { Plan } from '../src/core/planner/plan-types';
import { takeSnapshot } from '../src/operations/fleet-snapshot';
import { planRequest } from '../src/operations/plan-request';
import { refreshReadiness } from '../src/operations/refresh-readiness';
import { parseOrThrow } from '../src/operations/validation';
import { fleetTable } from '../src/text/fleet-text';
import { switchesTable } from '../src/text/switch-text';
import type { SwitchesView } from '../src/operations/region-switches';
import { switchesView } from '../src/operations/region-switches';
import { renderPlan } from '../src/text/plan-text';
import { readinessLines } from '../src/text/readiness-text';
import type { ReplSession } from './repl-session';
import { planSummary, summarized } from './summaries';

/** The commands that look and change nothing: fleet(), readiness(), plan() and switches(). */
export interface LookCommands {
  fleet(): Promise<FleetSnapshot>;
  /** N+1 readiness: the latest scheduled report, or one computed now with {refresh: true} (the API's GET /v1/readiness). */
  readiness(options?: { refresh?: boolean }): Promise<ReadinessReport>;
  plan(intent: unknown): Promise<Plan>;
  /** Each region's switch (GET /v1/switches): alarm, state, health check, records missing it. */
  switches(): Promise<SwitchesView>;
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

    async switches() {
      const view = await switchesView(deps);
      out([`Switches (control regions ${view.controlRegions.join(', ')}; ${view.pendingChanges} change(s) to prepare: prepareSwitches())`, switchesTable(view.switches), ...view.switches.flatMap((s) => (s.problems.length ? [`  ${s.region}: ${s.problems.join('; ')}`] : []))].join('\n'));
      return summarized(view, () => `Switches { ${view.switches.filter((s) => s.prepared).length}/${view.switches.length} prepared, ${view.switches.filter((s) => s.position === 'off').length} off — .switches }`);
    },

    async readiness(options = {}) {
      const latest = options.refresh ? undefined : await deps.readinessReports.latest();
      const report = latest ?? (await refreshReadiness(deps));
      out(readinessLines(report, deps.settings.LIFEBOAT_READINESS_INTERVAL, 'readiness({refresh: true})').join('\n'));
      const notReady = report.regions.filter((r) => !r.ready).map((r) => r.region);
      return summarized(report, () => `ReadinessReport { ${report.ready ? 'N+1 ready' : `NOT N+1 ready: ${notReady.join(', ')}`} — .regions .services .computedAt }`);
    },

    async plan(intent) {
      const { plan } = await planRequest(parseOrThrow(intentSchema, intent, { regions: deps.settings.LIFEBOAT_REGIONS }), deps);
      out(renderPlan(plan));
      return summarized(plan, () => planSummary(plan));
    },
  };
}
