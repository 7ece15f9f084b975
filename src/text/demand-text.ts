import type { ServiceDemand } from '../core/planner/plan-types';
import { formatTable } from './table';
import { timestamp } from './units';

/** What sized a service: as a plan's services and a readiness report say it. */
interface SizedService {
  service: string;
  model: string;
  demand: ServiceDemand;
  fellBack?: { from: string; reason: string };
}

/** 1234.5 → "1,235"; 12.34 → "12.3": demand figures to three significant digits at least, without noise. */
function figure(x: number): string {
  if (Math.abs(x) >= 100) return Math.round(x).toLocaleString('en-US');
  return Number(x.toPrecision(3)).toString();
}

/** When a measured demand figure comes from, in words: "now (last hour)", or the peak of a past day scaled to today. */
export function demandSource(demand: ServiceDemand): string {
  if (demand.how === 'counts') return 'estimated from instance counts';
  if (demand.how === 'given') return 'given (parameter demand)';
  const estimated = demand.estimated.length > 0 ? `; ${demand.estimated.join(', ')} estimated by share` : '';
  if (demand.source === 'now') {
    const looked = demand.horizonHours > 0 ? `; nothing higher in the next ${demand.horizonHours} h of the last ${demand.historyDays} days` : '';
    return `now (mean of the last hour)${looked}${estimated}`;
  }
  const s = demand.source;
  const at = timestamp(s.observedAt).slice(0, 16);
  return `peak ${s.daysAgo} day${s.daysAgo > 1 ? 's' : ''} ago at ${at} UTC (${figure(s.observed)}) × ${s.ratio.toFixed(2)} today's level, expected ${timestamp(s.expectedAt).slice(0, 16)} UTC${estimated}`;
}

/** Per service: the model that sized it, its demand now, the demand it was sized for and where that figure comes from. */
export function demandTable(services: readonly SizedService[]): string {
  return formatTable(
    ['service', 'model', 'demand now', 'sized for', 'source'],
    services.map((s) => {
      const model = s.fellBack ? `${s.model} (not ${s.fellBack.from})` : s.model;
      const d = s.demand;
      if (d.how === 'counts') return [s.service, model, '-', '-', demandSource(d)];
      if (d.how === 'given') return [s.service, model, '-', `${figure(d.sizedFor)} ${d.unit}`, demandSource(d)];
      return [s.service, model, `${figure(d.now)} ${d.unit}`, `${figure(d.sizedFor)} ${d.unit}`, demandSource(d)];
    }),
    '  ',
    [2, 3],
  );
}
