import type { FleetSnapshot } from '../../core/fleet';
import { capacityInOrder, trafficOf } from '../../text/fleet-text';
import { formatTable } from '../../text/table';
import { percent } from '../../text/units';

// What only the demo prints: the fleet before and after a move (src/text draws the fleet itself).

/** Per region, per service: instances in service and traffic share, before → after. */
export function comparisonTable(before: FleetSnapshot, after: FleetSnapshot): string {
  const rows = capacityInOrder(after).map((c) => {
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
    ['region', 'service', 'in service', 'change', 'traffic share'],
    rows.map((r, i) => [r.region, r.service, instances[i]!, r.change, shares[i]!]),
    '  ',
    [3],
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
