/**
 * What an evacuation did for users: how soon the failing region's traffic first went down
 * (time to first relief), how soon it reached none (time to mitigate), and how much traffic
 * stayed there meanwhile (impact: the integral of the failing region's traffic share over
 * time, in share-seconds, from the start of the operation). Pure: the timeline is given.
 *
 * Worked example: one name at share 1/3 from t = 0; stage one takes effect at 2 s with 0.1
 * left, stage two at 10 s with 0: first relief 2 s, mitigated 10 s, impact
 * 1/3 × 2 + 0.1 × 8 = 1.467 share-seconds.
 */

import type { RegionCode } from './fleet';
import { sharesFromWeights } from './snapshot';

/** From `at` (ms, epoch) on, the failing region carries `share` of the name's traffic. */
export interface ShareChange {
  name: string;
  at: number;
  share: number;
}

export interface ReliefTimeline {
  /** When the operation started (ms, epoch): impact counts from here. */
  startedAt: number;
  /** When it ended, or now (ms, epoch): a name never mitigated counts until here. */
  endedAt: number;
  /** The failing region's share of each name at the start. */
  initial: ReadonlyMap<string, number>;
  /** When each change of share took effect (Route 53 in sync), in any order. */
  changes: readonly ShareChange[];
}

export interface NameRelief {
  name: string;
  initialShare: number;
  /** Seconds from the start until the share first went down; absent when it never did. */
  firstReliefSeconds?: number;
  /** Seconds from the start until the share reached 0; absent when it never did. */
  mitigateSeconds?: number;
  impactShareSeconds: number;
}

export interface Relief {
  /** Seconds until the first name's share went down. */
  firstReliefSeconds?: number;
  /** Seconds until every name's share reached 0; absent while one has not. */
  mitigateSeconds?: number;
  /** Share-seconds summed over the names. */
  impactShareSeconds: number;
  mitigated: boolean;
  names: NameRelief[];
}

export function reliefOf(timeline: ReliefTimeline): Relief {
  const names = [...timeline.initial.keys()].sort().map((name) => nameRelief(timeline, name));
  const firsts = names.map((n) => n.firstReliefSeconds).filter((s): s is number => s !== undefined);
  const mitigated = names.every((n) => n.mitigateSeconds !== undefined || n.initialShare === 0);
  const mitigations = names.map((n) => n.mitigateSeconds ?? 0);
  return {
    ...(firsts.length ? { firstReliefSeconds: Math.min(...firsts) } : {}),
    ...(mitigated ? { mitigateSeconds: Math.max(0, ...mitigations) } : {}),
    impactShareSeconds: names.reduce((a, n) => a + n.impactShareSeconds, 0),
    mitigated,
    names,
  };
}

function nameRelief(timeline: ReliefTimeline, name: string): NameRelief {
  const { startedAt, endedAt } = timeline;
  const initialShare = timeline.initial.get(name) ?? 0;
  const changes = timeline.changes.filter((c) => c.name === name).sort((a, b) => a.at - b.at);
  let share = initialShare;
  let since = startedAt;
  let impact = 0;
  let firstRelief: number | undefined;
  let mitigate: number | undefined;
  for (const c of changes) {
    const at = Math.min(Math.max(c.at, startedAt), endedAt);
    impact += share * (at - since);
    since = at;
    share = c.share;
    if (firstRelief === undefined && share < initialShare) firstRelief = at;
    if (mitigate === undefined && share === 0 && initialShare > 0) mitigate = at;
    if (share > 0) mitigate = undefined;
  }
  impact += share * (endedAt - since);
  const seconds = (at: number) => (at - startedAt) / 1000;
  return {
    name,
    initialShare,
    ...(firstRelief !== undefined ? { firstReliefSeconds: seconds(firstRelief) } : {}),
    ...(mitigate !== undefined ? { mitigateSeconds: seconds(mitigate) } : {}),
    impactShareSeconds: impact / 1000,
  };
}

/** One name's weight in one region, as set in Route 53. */
export interface NameWeight {
  name: string;
  region: RegionCode;
  weight: number;
}

/**
 * Weights lifeboat set that took effect at `at` (ms, epoch): a stage, a fallback to what
 * the capacity in service serves, a rollback. Each gives some regions of some names; the
 * others keep theirs. `switchedOff`: the failing region left through its switch, so it
 * answers for no name from then on, whatever its weights.
 */
export interface WeightsTakingEffect {
  at: number;
  weights: readonly NameWeight[];
  switchedOff?: boolean;
}

/**
 * The failing region's share of each name after each change of weights lifeboat made, in
 * the order they took effect: every change counts, those that move traffic back to the
 * failing region (a fallback, a rollback) as well as the stages, so impact and time to
 * mitigate follow the share users really had. `initial` holds every name's weights before.
 */
export function shareChangesOf(initial: readonly NameWeight[], events: readonly WeightsTakingEffect[], failing: RegionCode): ShareChange[] {
  const weights = new Map<string, Map<RegionCode, number>>();
  for (const w of initial) (weights.get(w.name) ?? weights.set(w.name, new Map()).get(w.name)!).set(w.region, w.weight);
  let off = false;
  const changes: ShareChange[] = [];
  for (const e of [...events].sort((a, b) => a.at - b.at)) {
    off ||= e.switchedOff === true;
    const touched = new Set(e.weights.map((w) => w.name));
    for (const w of e.weights) (weights.get(w.name) ?? weights.set(w.name, new Map()).get(w.name)!).set(w.region, w.weight);
    for (const name of e.switchedOff ? weights.keys() : touched) changes.push({ name, at: e.at, share: off ? 0 : failingShare(weights.get(name)!, failing) });
  }
  return changes;
}

function failingShare(weights: ReadonlyMap<RegionCode, number>, failing: RegionCode): number {
  return weights.has(failing) ? sharesFromWeights(weights).get(failing)! : 0;
}
