/**
 * "Did you mean": the known name nearest to a mistyped one. Pure, so every surface (API,
 * REPL, CLI, runbooks) suggests the same thing for the same slip.
 */

/** Edits (insert, delete, substitute, swap two neighbours) that turn a into b. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) rows.push([i, ...Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The candidate a slip most likely meant: the nearest by edit distance (case ignored), when
 * it is near enough to be a typo (a third of the word's length, at least 2 edits), or one
 * that starts with what was typed. Undefined when nothing is close, or for an exact match.
 */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  const typed = word.toLowerCase();
  if (typed === '' || candidates.includes(word)) return undefined;
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(typed, candidate.toLowerCase());
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  if (!best) return undefined;
  if (best.distance <= Math.max(2, Math.floor(typed.length / 3))) return best.candidate;
  return candidates.find((c) => c.toLowerCase().startsWith(typed) || typed.startsWith(c.toLowerCase()));
}

/** ` (did you mean us-east-1?)`, or '' when nothing is close: to append to a message. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const match = closestMatch(word, candidates);
  return match === undefined ? '' : ` (did you mean ${match}?)`;
}
