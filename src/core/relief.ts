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
