import type { ReadinessReport } from '../core/readiness';
import { demandTable } from './demand-text';
import { formatTable } from './table';
import { timestamp } from './units';

/**
 * An N+1 readiness report as the CLI and the REPL show it: the verdict, when and how it was
 * computed, the demand, a row per region, and for each region that could not be absorbed the
 * survivors that would be short. `refreshHow` says how to recompute it on this surface.
 */
export function readinessLines(report: ReadinessReport, intervalSeconds: number, refreshHow: string): string[] {
  const notReady = report.regions.filter((x) => !x.ready);
  const lines = [
    report.ready ? 'N+1 ready: every region can be absorbed by the others' : `NOT N+1 ready: ${notReady.map((x) => x.region).join(', ')} could not be absorbed`,
    `computed ${timestamp(report.computedAt)} with the ${report.model} model (recomputed every ${intervalSeconds} s; ${refreshHow} for now)`,
  ];
  if (report.services?.length) lines.push(`\ndemand (what each service is sized for):\n${demandTable(report.services)}`);
  lines.push('', formatTable(['region', 'ready', 'min headroom', 'blockers'], report.regions.map((x) => [x.region, x.ready ? 'yes' : 'NO', x.minHeadroom === null ? '-' : String(x.minHeadroom), x.blockers.map((b) => b.code).join(', ')])));
  for (const region of notReady) {
    const short = region.services.flatMap((s) => s.survivors.filter((v) => v.headroom < 0).map((v) => [s.service, v.region, v.needed, v.obtainable, v.headroom]));
    if (short.length === 0) continue;
    lines.push('', `if ${region.region} were evacuated, these would be short:`, formatTable(['service', 'survivor', 'needed', 'obtainable', 'headroom'], short));
  }
  return lines;
}
