import type { RegionSwitchStatus, SwitchChange } from '../core/switches';
import { formatTable } from './table';

/** Each region's switch as a table: where its alarm is, its state, its health check, the records missing it. */
export function switchesTable(switches: readonly RegionSwitchStatus[]): string {
  return formatTable(
    ['region', 'alarm', 'state', 'position', 'health check', 'records', 'missing', 'prepared'],
    switches.map((s) => [
      s.region,
      `${s.alarm.name} (${s.alarm.region})`,
      s.alarmState ?? '-',
      s.position,
      s.healthCheckId ?? '-',
      s.records,
      s.recordsMissingHealthCheck.length ? s.recordsMissingHealthCheck.map((r) => `${r.name} ${r.type}`).join(', ') : '',
      s.prepared ? 'yes' : 'NO',
    ]),
  );
}

/** One line per change a switch plan makes, in the order it makes them. */
export function switchChangeLines(changes: readonly SwitchChange[]): string[] {
  return changes.map((c) => {
    switch (c.kind) {
      case 'put-alarm':
        return `put alarm ${c.alarm.name} in ${c.alarm.region} (${c.why})`;
      case 'switch-on':
        return `turn the switch of ${c.region} on (metric 1, alarm OK)`;
      case 'create-health-check':
        return `create a CLOUDWATCH_METRIC health check for ${c.region} on ${c.alarm.name} (${c.alarm.region}), CallerReference ${c.callerReference}`;
      case 'attach-health-check':
        return `attach ${c.healthCheckId ?? `the new health check of ${c.region}`} to ${c.record.name} ${c.record.type} (${c.record.setIdentifier})${c.replaces ? `, replacing ${c.replaces}` : ''}`;
    }
  });
}
