import type { GroupChange, Plan } from '../core/planner/plan-types';
import { demandTable } from './demand-text';
import { MARKS } from './marks';
import { describeRequest } from './request-text';
import { formatTable } from './table';
import { switchChangeLines, switchesTable } from './switch-text';
import { percent as pct } from './units';
import { warmCoverageTable, warmPoolTable } from './warm-pool-text';

const arrow = (a: number | string, b: number | string) => (a === b ? String(a) : `${a} → ${b}`);

function groupTable(changes: GroupChange[]): string {
  // The account column only when lifeboat manages several: one account needs no naming.
  const accounts = changes.some((c) => c.account !== undefined);
  return formatTable(
    [...(accounts ? ['account'] : []), 'region', 'group', 'service', 'min', 'desired', 'max'],
    changes.map((c) => [
      ...(accounts ? [c.account ?? '-'] : []),
      c.region,
      c.group,
      c.service,
      arrow(c.from.minSize, c.to.minSize),
      arrow(c.from.desiredCapacity, c.to.desiredCapacity),
      arrow(c.from.maxSize, c.to.maxSize),
    ]),
  );
}

/** A plan as a human reads it at a terminal: verdict, capacity, prescale, stages, warnings. */
export function renderPlan(plan: Plan): string {
  const out: string[] = [];
  out.push(`Plan: ${describeRequest(plan.intent)} — model ${plan.model}, snapshot ${plan.snapshotTakenAt}`);
  if (plan.blockers.length > 0) {
    out.push('', `BLOCKED (${plan.blockers.length}):`);
    for (const b of plan.blockers) {
      out.push(`  ${MARKS.failed} ${b.code}: ${b.message}`);
      if (b.hint) out.push(`    hint: ${b.hint}`);
    }
  } else if (plan.switches) {
    out.push(`Ready: ${plan.switches.changes.length} switch change(s).`);
  } else {
    const pools = plan.warmPoolChanges?.length ? `${plan.warmPoolChanges.length} warm pool change(s), ` : '';
    out.push(`Ready: ${pools}${plan.groupChanges.length} group change(s), ${plan.stages.length} stage(s), ${plan.finalGroupChanges.length} change(s) after the last stage.`);
  }
  if (plan.switches) {
    out.push('', `Switches (control regions ${plan.switches.controlRegions.join(', ')}):`, switchesTable(plan.switches.regions));
    if (plan.switches.changes.length) out.push('', 'Changes, in order:', ...switchChangeLines(plan.switches.changes).map((l) => `  ${l}`));
  }
  if (plan.fallbackSwitch) out.push(`Fallback: if Route 53's change API fails, ${plan.fallbackSwitch.region} leaves through its switch (alarm ${plan.fallbackSwitch.alarm.name} in ${plan.fallbackSwitch.alarm.region}), all at once.`);
  if (plan.switchOn) out.push(`The switch of ${plan.switchOn.region} goes back on once the first stage's weights are in sync.`);
  const capacity = plan.services.flatMap((s) => s.regions.map((r) => ({ ...r, name: s.trafficName ?? '(follows capacity)' })));
  if (capacity.length > 0) {
    out.push('', 'Capacity (instances):');
    out.push(
      formatTable(
        ['service', 'region', 'share', 'in service', 'desired', 'required', 'ceiling', 'short'],
        capacity.map((c) => [
          c.service,
          c.region,
          arrow(pct(c.share), pct(c.targetShare)),
          c.inService,
          arrow(c.current, c.target),
          c.required,
          c.ceiling,
          c.shortfall > 0 ? String(c.shortfall) : '',
        ]),
      ),
    );
  }
  if (plan.services.length > 0) out.push('', 'Demand (what each service is sized for):', demandTable(plan.services));
  if (plan.warmPoolChanges?.length) out.push('', 'Warm pools (dark capacity):', warmPoolTable(plan.warmPoolChanges));
  if (plan.groupChanges.length > 0) out.push('', 'Before traffic moves (prescale, then wait for InService):', groupTable(plan.groupChanges));
  if (plan.warmCoverage?.length) out.push('', 'Growth covered by warm pools (instances in service in seconds, not minutes):', warmCoverageTable(plan.warmCoverage));
  for (const stage of plan.stages) {
    out.push('', `Stage ${stage.index} (${stage.percent}% of the move): ${stage.weights.length} weight change(s)`);
    const shareOf = new Map(stage.traffic.map((t) => [`${t.name}\u0000${t.region}`, t.share]));
    out.push(
      formatTable(
        ['name', 'type', 'region', 'weight', 'share after'],
        stage.weights.map((w) => [w.name, w.type, w.region, arrow(w.from, w.to), pct(shareOf.get(`${w.name}\u0000${w.region}`) ?? 0)]),
      ),
    );
    const hot = stage.load.filter((l) => l.loadFactor === null || l.loadFactor > 1);
    if (hot.length > 0) out.push(`  ! over capacity: ${hot.map((l) => `${l.service}@${l.region} needs ${l.needed} of ${l.instances}`).join(', ')}`);
  }
  if (plan.finalGroupChanges.length > 0) out.push('', 'After the last stage:', groupTable(plan.finalGroupChanges));
  if (plan.warnings.length > 0) {
    out.push('', `Warnings (${plan.warnings.length}):`);
    for (const w of plan.warnings) out.push(`  - ${w.code}: ${w.message}`);
  }
  return out.join('\n');
}
