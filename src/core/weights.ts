import type { RegionCode } from './fleet';
import { sharesFromWeights } from './snapshot';

const MAX_WEIGHT = 255;
/** Below this total the current weights are too coarse to keep (1/1/1 cannot say 5/12). */
const MIN_KEPT_TOTAL = 100;

/**
 * Route 53 weights (integers 0..255) for the given shares of one name.
 *
 * - A region meant to keep traffic never rounds to 0.
 * - The shares the weights imply are within one weight unit of the intended ones,
 *   |w / Σw − share| ≤ 1 / Σw, whenever that is compatible with the rule above (it is not
 *   for shares under one part in 255 beside a share near 1; there each tiny share gets 1).
 * - When the current weights already imply the intended shares, they are kept: no change.
 * - When the current weights sum to 100 or more, the new ones keep that sum where they can
 *   (100/100/100 evacuating one region: 50/125/125, then 0/150/150), so people reading
 *   Route 53 see the scale they chose.
 * - Otherwise, the finest weights that fit in 255, reduced by their common divisor, so
 *   halves come out as 1 and 1.
 * - `ceilings` (optional, each at least the region's share): rounding never gives a region
 *   more than its ceiling, w / Σw ≤ ceiling (a region filled to what its capacity serves
 *   must not get a unit more), unless no weights within one unit allow it.
 *
 * Worked example: shares {a: 0, b: 5/12, c: 5/12, d: 1/6} → scale 255 / (5/12) = 612 →
 * {0, 255, 255, 102} → divided by 51 → {a: 0, b: 5, c: 5, d: 2}.
 */
export function sharesToWeights(
  shares: ReadonlyMap<RegionCode, number>,
  current?: ReadonlyMap<RegionCode, number>,
  ceilings?: ReadonlyMap<RegionCode, number>,
): Map<RegionCode, number> {
  if (current && current.size === shares.size && [...shares.keys()].every((r) => current.has(r))) {
    const implied = sharesFromWeights(current);
    const allZero = [...current.values()].every((w) => w === 0);
    if (!allZero && [...shares].every(([r, s]) => Math.abs((implied.get(r) ?? 0) - s) < 1e-9)) return new Map(current);
  }
  const regions = [...shares.keys()];
  const positive = regions.filter((r) => (shares.get(r) ?? 0) > 0);
  if (positive.length === 0) throw new RangeError('no region has a positive share; Route 53 would spread traffic evenly');
  const total = positive.reduce((a, r) => a + shares.get(r)!, 0);
  const normalized = new Map(regions.map((r) => [r, Math.max(0, shares.get(r)!) / total]));
  const maxShare = Math.max(...positive.map((r) => normalized.get(r)!));
  const exactTotal = Math.floor(MAX_WEIGHT / maxShare + 1e-9);

  // Keep the operator's scale when it has enough resolution: 100/100/100 becomes 0/150/150.
  const currentTotal = current ? regions.reduce((a, r) => a + (current.get(r) ?? 0), 0) : 0;
  if (currentTotal >= MIN_KEPT_TOTAL && currentTotal <= exactTotal) {
    const kept = apportion(regions, normalized, currentTotal, true, ceilings);
    if (kept) return kept;
  }

  const exact = exactWeights(regions, normalized, exactTotal);
  if (exact) return exact;

  // Each weight within one unit of share × total, so the implied share is within one
  // weight unit. Prefer the total at which the largest share lands on 255 exactly, then
  // smaller ones, then the few larger ones where the largest weight rounds down to 255.
  const totals = [
    ...Array.from({ length: exactTotal }, (_, i) => exactTotal - i),
    ...Array.from({ length: Math.floor((MAX_WEIGHT + 1) / maxShare) - exactTotal }, (_, i) => exactTotal + 1 + i),
  ];
  let weights: Map<RegionCode, number> | undefined;
  for (const total of totals) {
    weights = apportion(regions, normalized, total, true, ceilings);
    if (weights) break;
  }
  // Shares too small for one unit next to a large one (1/515 beside 513/515): keeping
  // traffic where it was meant to be wins over the one-unit accuracy.
  // The forced units come on top, so the largest share still gets 255.
  const forced = positive.filter((r) => normalized.get(r)! * exactTotal < 1).length;
  weights ??= apportion(regions, normalized, exactTotal + forced, false)!;

  const divisor = [...weights.values()].reduce((a, b) => gcd(a, b), 0);
  if (divisor > 1) for (const [r, w] of weights) weights.set(r, w / divisor);
  return weights;
}

/**
 * Apportion `total` units: at least 1 for a positive share, at most 255 and, when
 * `withinOneUnit`, each weight within one unit of share × total, and at most ceiling × total
 * where a ceiling is given. Starts from the floors and moves single units where they reduce
 * the error most; undefined when no such weights exist for this total.
 */
function apportion(
  regions: RegionCode[],
  shares: ReadonlyMap<RegionCode, number>,
  total: number,
  withinOneUnit: boolean,
  ceilings?: ReadonlyMap<RegionCode, number>,
): Map<RegionCode, number> | undefined {
  const EPS = 1e-9;
  const slots = regions.map((r) => {
    const x = shares.get(r)! * total;
    const ceiling = ceilings?.get(r);
    const lo = x > 0 ? Math.max(1, withinOneUnit ? Math.ceil(x - 1 - EPS) : 1) : 0;
    const hi = x > 0 ? Math.min(MAX_WEIGHT, withinOneUnit ? Math.floor(x + 1 + EPS) : MAX_WEIGHT, ceiling !== undefined ? Math.floor(ceiling * total + EPS) : MAX_WEIGHT) : 0;
    return { r, x, lo, hi, w: Math.min(hi, Math.max(lo, Math.floor(x + EPS))) };
  });
  if (slots.some((s) => s.lo > s.hi)) return undefined;
  let diff = total - slots.reduce((a, s) => a + s.w, 0);
  while (diff !== 0) {
    const up = diff > 0;
    const movable = slots.filter((s) => (up ? s.w < s.hi : s.w > s.lo));
    if (movable.length === 0) return undefined;
    const best = movable.reduce((a, b) => ((up ? b.x - b.w > a.x - a.w : b.w - b.x > a.w - a.x) ? b : a));
    best.w += up ? 1 : -1;
    diff += up ? -1 : 1;
  }
  return new Map(slots.map((s) => [s.r, s.w]));
}

/** The smallest whole weights that give the shares exactly (1/3 and 2/3 → 1 and 2), if any fit in 255. */
function exactWeights(regions: RegionCode[], shares: ReadonlyMap<RegionCode, number>, maxTotal: number): Map<RegionCode, number> | undefined {
  for (let total = 1; total <= maxTotal; total++) {
    let fits = true;
    for (const r of regions) {
      const x = shares.get(r)! * total;
      if (Math.abs(x - Math.round(x)) > 1e-9 || (x > 0 && Math.round(x) === 0)) {
        fits = false;
        break;
      }
    }
    if (fits) return new Map(regions.map((r) => [r, Math.round(shares.get(r)! * total)]));
  }
  return undefined;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
