import type { FleetSnapshot, ServiceCapacity } from '../../core/fleet';
import { formatTable } from '../../text/table';

/** Tables and small text graphics the demo prints: the fleet, a before/after comparison, progress bars. */

export const percent = (share: number): string => `${(share * 100).toFixed(1)}%`;

export function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

/** Regions in the snapshot's order, then services in the order lifeboat lists them. */
function capacityRows(snapshot: FleetSnapshot): ServiceCapacity[] {
  const regionOrder = new Map(snapshot.regions.map((r, i) => [r, i]));
  return [...snapshot.capacity].sort((a, b) => (regionOrder.get(a.region) ?? 0) - (regionOrder.get(b.region) ?? 0));
}

function trafficOf(snapshot: FleetSnapshot, c: ServiceCapacity): { weight: number; share: number } | undefined {
  return snapshot.traffic.find((t) => t.name === c.trafficName && t.region === c.region);
}

/** Per region, per service: instances in service / desired / max, and its DNS name's weight and share. */
export function fleetTable(snapshot: FleetSnapshot): string {
  const rows = capacityRows(snapshot).map((c) => {
    const traffic = trafficOf(snapshot, c);
    return [c.region, c.service, c.inService, c.desiredCapacity, c.maxSize, c.trafficName ?? '-', traffic ? String(traffic.weight) : '-', traffic ? percent(traffic.share) : '-'];
  });
  return formatTable(...alignRight(['region', 'service', 'in service', 'desired', 'max', 'traffic name', 'weight', 'share'], rows, [6, 7]));
}

/** Per region, per service: instances in service and traffic share, before → after. */
export function comparisonTable(before: FleetSnapshot, after: FleetSnapshot): string {
  const rows = capacityRows(after).map((c) => {
    const was = before.capacity.find((b) => b.service === c.service && b.region === c.region);
    const shareBefore = was ? trafficOf(before, was)?.share : undefined;
    const shareAfter = trafficOf(after, c)?.share;
    return {
      region: c.region,
      service: c.service,
      instances: [was ? String(was.inService) : '-', String(c.inService)],
      change: was ? signed(c.inService - was.inService) : '',
      shares: [shareBefore !== undefined ? percent(shareBefore) : '-', shareAfter !== undefined ? percent(shareAfter) : '-'],
    };
  });
  const instances = arrows(rows.map((r) => r.instances));
  const shares = arrows(rows.map((r) => r.shares));
  return formatTable(
    ...alignRight(
      ['region', 'service', 'in service', 'change', 'traffic share'],
      rows.map((r, i) => [r.region, r.service, instances[i]!, r.change, shares[i]!]),
      [3],
    ),
  );
}

/** `before → after` cells whose two sides line up, right-aligned, down the column. */
function arrows(pairs: string[][]): string[] {
  const width = (k: number) => Math.max(...pairs.map((p) => (p[k] ?? '').length));
  return pairs.map((p) => `${(p[0] ?? '').padStart(width(0))} → ${(p[1] ?? '').padStart(width(1))}`);
}

/** Totals over every service, per region: the one-line story of a move. */
export function regionTotals(before: FleetSnapshot, after: FleetSnapshot): string[] {
  return after.regions.map((region) => {
    const sum = (s: FleetSnapshot) => s.capacity.filter((c) => c.region === region).reduce((a, c) => a + c.inService, 0);
    const shares = (s: FleetSnapshot) => s.traffic.filter((t) => t.region === region).map((t) => t.share);
    const range = (xs: number[]) => {
      if (xs.length === 0) return '-';
      const lo = Math.min(...xs);
      const hi = Math.max(...xs);
      return lo === hi ? percent(lo) : `${percent(lo)}–${percent(hi)}`;
    };
    return `${region}: ${sum(before)} → ${sum(after)} instances in service, traffic share ${range(shares(before))} → ${range(shares(after))}`;
  });
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : n < 0 ? `${n}` : '±0';
}

/**
 * formatTable aligns right only columns of numbers; these columns hold text (percentages,
 * arrows) that reads better aligned right too, so pad them (header included) to one width.
 */
function alignRight(headers: string[], rows: Array<Array<string | number>>, columns: number[]): [string[], Array<Array<string | number>>] {
  const width = (i: number) => Math.max(headers[i]!.length, ...rows.map((r) => String(r[i] ?? '').length));
  const widths = new Map(columns.map((i) => [i, width(i)]));
  const pad = (cell: string | number, i: number) => (widths.has(i) ? String(cell).padStart(widths.get(i)!) : cell);
  return [headers.map((h, i) => String(pad(h, i))), rows.map((r) => r.map(pad))];
}
