import type { PrepareSwitchesIntent } from '../intents';
import { planSwitches } from '../switches';
import type { FleetIndex } from './fleet-index';
import type { Plan } from './plan-types';

/**
 * prepare-switches as a plan: no capacity and no weights move; the switch plan says what is
 * created or repaired (core/switches.ts). Nothing to change is a blocker, as for any plan.
 */
export function planPrepareSwitches(index: FleetIndex, intent: PrepareSwitchesIntent): Plan {
  const { snapshot } = index;
  const regions = intent.regions ?? snapshot.regions;
  const switches = planSwitches(regions, intent.controlRegions, { ...intent.reading, records: snapshot.records });
  const { controlRegions: _c, reading: _r, ...asked } = intent;
  return {
    kind: 'prepare-switches',
    intent: asked,
    model: '',
    maxSizeGrowth: 1,
    snapshotTakenAt: snapshot.takenAt,
    regions: [...regions],
    names: [...new Set(switches.changes.flatMap((c) => (c.kind === 'attach-health-check' ? [c.record.name] : [])))],
    services: [],
    groupChanges: [],
    stages: [],
    finalGroupChanges: [],
    warnings: switches.warnings,
    blockers: [
      ...switches.blockers,
      ...(switches.changes.length === 0 && switches.blockers.length === 0
        ? [{ code: 'LB_ERR_NOTHING_TO_DO' as const, message: `every switch of ${regions.join(', ')} is prepared; nothing to change` }]
        : []),
    ],
    switches,
  };
}
