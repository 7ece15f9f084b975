import type { RegionCode } from './fleet';

type Shares = ReadonlyMap<RegionCode, number>;

interface ShareMove {
  /** Current shares of one name's traffic; they sum to 1. */
  shares: Shares;
  /** The region traffic moves away from. */
  from: RegionCode;
  /** Fraction of `from`'s share to move, 0..1 (1 evacuates it). */
  fraction: number;
  /** Regions that receive it; by default every other region serving today. */
  to?: readonly RegionCode[];
  /**
   * proportional: recipients gain in proportion to their current shares.
   * capacity-aware: the same, but no recipient goes past its ceiling (water-filling);
   * what no recipient can take stays where it is and is reported as unplaced.
   */
  mode: 'proportional' | 'capacity-aware';
  /** Highest share each recipient can serve (capacity-aware only); missing means no limit. */
  ceilings?: ReadonlyMap<RegionCode, number>;
}

interface ShareMoveResult {
  shares: Map<RegionCode, number>;
  /** Share that had to move but no recipient could take (capacity-aware), left on `from`. */
  unplaced: number;
  recipients: RegionCode[];
}

/**
 * Move part of one region's share to others.
 *
 * Worked example (proportional): shares {a: 0.5, b: 0.3, c: 0.2}, evacuate a →
 * b gets 0.5 × 0.3/0.5 = 0.3 more, c gets 0.5 × 0.2/0.5 = 0.2 more: {a: 0, b: 0.6, c: 0.4}.
 * Capacity-aware with ceilings {b: 0.55}: b stops at 0.55, c takes the rest: {a: 0, b: 0.55, c: 0.45}.
 */
export function moveShare(move: ShareMove): ShareMoveResult {
  const shares = new Map(move.shares);
  const fromShare = shares.get(move.from) ?? 0;
  const recipients = (move.to ?? [...shares.keys()].filter((r) => r !== move.from && (shares.get(r) ?? 0) > 0)).filter(
    (r) => r !== move.from,
  );
  const toMove = fromShare * Math.min(1, Math.max(0, move.fraction));
  if (toMove === 0 || recipients.length === 0) return { shares, unplaced: recipients.length === 0 ? toMove : 0, recipients };

  const ceilings = move.mode === 'capacity-aware' ? (move.ceilings ?? new Map<RegionCode, number>()) : new Map<RegionCode, number>();
  const given = fillProportionally(
    recipients.map((r) => ({ region: r, share: shares.get(r) ?? 0, ceiling: ceilings.get(r) ?? Infinity })),
    toMove,
  );
  let placed = 0;
  for (const [region, extra] of given) {
    shares.set(region, (shares.get(region) ?? 0) + extra);
    placed += extra;
  }
  const unplaced = Math.max(0, toMove - placed);
  shares.set(move.from, fromShare - toMove + unplaced);
  return { shares: normalize(shares), unplaced: unplaced < 1e-12 ? 0 : unplaced, recipients };
}

/**
 * Water-filling: hand out `amount` in proportion to current shares (equally when some
 * recipient serves nothing yet), clamping each recipient at its ceiling and sharing the overflow among the rest.
 */
function fillProportionally(
  recipients: Array<{ region: RegionCode; share: number; ceiling: number }>,
  amount: number,
): Map<RegionCode, number> {
  const given = new Map<RegionCode, number>();
  // A recipient named explicitly may serve nothing today; then all recipients gain equally.
  const byShare = recipients.every((r) => r.share > 0);
  let active = recipients.filter((r) => r.ceiling - r.share > 0);
  let remaining = amount;
  while (remaining > 1e-15 && active.length > 0) {
    const totalWeight = active.reduce((a, r) => a + (byShare ? r.share : 1), 0);
    const weightOf = (r: { share: number }) => (byShare ? r.share : 1) / totalWeight;
    const capped = active.filter((r) => (given.get(r.region) ?? 0) + remaining * weightOf(r) >= r.ceiling - r.share);
    if (capped.length === 0) {
      for (const r of active) given.set(r.region, (given.get(r.region) ?? 0) + remaining * weightOf(r));
      remaining = 0;
      break;
    }
    for (const r of capped) {
      const room = r.ceiling - r.share - (given.get(r.region) ?? 0);
      given.set(r.region, (given.get(r.region) ?? 0) + room);
      remaining -= room;
    }
    active = active.filter((r) => !capped.includes(r));
  }
  return given;
}

/** Explicit target: shares in proportion to the given weights; unlisted regions get none. */
export function sharesFromTargetWeights(regions: readonly RegionCode[], weights: Readonly<Record<RegionCode, number>>): Map<RegionCode, number> {
  const total = regions.reduce((a, r) => a + Math.max(0, weights[r] ?? 0), 0);
  return new Map(regions.map((r) => [r, total > 0 ? Math.max(0, weights[r] ?? 0) / total : 0]));
}

/** Shares of a staged move: the fraction `progress` (0..1) of the way from `before` to `after`. */
export function interpolateShares(before: Shares, after: Shares, progress: number): Map<RegionCode, number> {
  const regions = new Set([...before.keys(), ...after.keys()]);
  const out = new Map<RegionCode, number>();
  for (const r of regions) {
    const a = before.get(r) ?? 0;
    const b = after.get(r) ?? 0;
    out.set(r, progress >= 1 ? b : a + (b - a) * progress);
  }
  return out;
}

/** Rescale to sum to exactly 1 and clear float dust below 1e-12. */
function normalize(shares: Map<RegionCode, number>): Map<RegionCode, number> {
  for (const [r, s] of shares) if (Math.abs(s) < 1e-12) shares.set(r, 0);
  const total = [...shares.values()].reduce((a, b) => a + b, 0);
  if (total > 0) for (const [r, s] of shares) shares.set(r, s / total);
  return shares;
}
