/**
 * Queueing math for M/M/c: c servers, Poisson arrivals, exponential service.
 *
 * Everything goes through the Erlang B recursion
 *     B(0, A) = 1,   B(k, A) = A·B(k−1, A) / (k + A·B(k−1, A))
 * which stays within [0, 1] at every step, so it is exact and stable for thousands of
 * servers where A^c / c! would overflow long before.
 *
 * Erlang C (probability that an arrival waits) follows from B:
 *     C(c, A) = c·B(c, A) / (c − A·(1 − B(c, A)))      for c > A, and 1 when c ≤ A.
 * Worked example (by hand, from the textbook formula): A = 2 erlangs, c = 3 servers
 *     A³/3! · 3/(3−2) = 4,  Σ_{k<3} A^k/k! = 1 + 2 + 2 = 5,  C = 4 / (5 + 4) = 4/9 ≈ 0.4444.
 */

/** Blocking probability of an M/M/c/c system (Erlang B) with `servers` servers and `load` erlangs. */
export function erlangB(servers: number, load: number): number {
  assertServers(servers);
  assertLoad(load);
  let b = 1;
  for (let k = 1; k <= servers; k++) b = (load * b) / (k + load * b);
  return b;
}

/** Probability that an arrival has to wait in an M/M/c queue (Erlang C). */
export function erlangC(servers: number, load: number): number {
  assertServers(servers);
  assertLoad(load);
  if (servers <= load) return 1;
  const b = erlangB(servers, load);
  return erlangCFromB(servers, load, b);
}

function erlangCFromB(servers: number, load: number, b: number): number {
  return (servers * b) / (servers - load * (1 - b));
}

/**
 * Share of arrivals answered within `answerWithin` seconds:
 *     SL = 1 − C(c, A) · e^(−(c − A)·μ·t)     with μ the service rate of one server.
 */
export function erlangServiceLevel(servers: number, load: number, serviceRate: number, answerWithin: number): number {
  if (servers <= load) return 0;
  return 1 - erlangC(servers, load) * Math.exp(-(servers - load) * serviceRate * answerWithin);
}

interface QueueingTarget {
  /** Upper bound on the probability of waiting (1 disables it). */
  maxWaitProbability: number;
  /** Lower bound on the share answered within `answerWithin` seconds (0 disables it). */
  serviceLevel: number;
  answerWithin: number;
  /** Service rate of one server (requests per second); needed for the service level. */
  serviceRate: number;
}

/**
 * The most servers erlangServersFor counts to: as many as one scale intent may ask of a
 * region. The search is O(answer), so without a bound a huge load (an evaluation asking for
 * 1e12 requests per second, say) would keep the process counting for hours.
 */
export const MAX_SERVERS = 100_000;

/**
 * The smallest number of servers that carries `load` erlangs and meets the target.
 * One pass of the Erlang B recursion: O(answer), exact, no overflow. More than MAX_SERVERS
 * is a RangeError, as a load no fleet lifeboat sizes could carry.
 */
export function erlangServersFor(load: number, target: QueueingTarget): number {
  assertLoad(load);
  if (load >= MAX_SERVERS) throw new RangeError(`a load of ${load} erlangs needs more than ${MAX_SERVERS} servers`);
  if (!(target.maxWaitProbability > 0 && target.maxWaitProbability <= 1)) {
    throw new RangeError(`maxWaitProbability must be in (0, 1], got ${target.maxWaitProbability}`);
  }
  if (!(target.serviceLevel >= 0 && target.serviceLevel < 1)) {
    throw new RangeError(`serviceLevel must be in [0, 1), got ${target.serviceLevel}`);
  }
  if (target.serviceLevel > 0 && !(target.serviceRate > 0 && Number.isFinite(target.serviceRate) && target.answerWithin >= 0)) {
    throw new RangeError(`a service-level target needs a service rate > 0 and answerWithin ≥ 0, got ${target.serviceRate} and ${target.answerWithin}`);
  }
  if (load === 0) return 0;
  let b = 1;
  for (let k = 1; k <= MAX_SERVERS; k++) {
    b = (load * b) / (k + load * b);
    if (k <= load) continue;
    const c = erlangCFromB(k, load, b);
    if (c > target.maxWaitProbability) continue;
    if (target.serviceLevel > 0) {
      const sl = 1 - c * Math.exp(-(k - load) * target.serviceRate * target.answerWithin);
      if (sl < target.serviceLevel) continue;
    }
    return k;
  }
  throw new RangeError(`no number of servers up to ${MAX_SERVERS} meets the target for ${load} erlangs`);
}

function assertServers(servers: number): void {
  if (!Number.isInteger(servers) || servers < 0) throw new RangeError(`servers must be a whole number ≥ 0, got ${servers}`);
  // The recursion is O(servers): a custom model passing a huge count must fail, not spin.
  if (servers > MAX_SERVERS) throw new RangeError(`servers must be at most ${MAX_SERVERS}, got ${servers}`);
}

function assertLoad(load: number): void {
  if (!Number.isFinite(load) || load < 0) throw new RangeError(`load must be a finite number of erlangs ≥ 0, got ${load}`);
}
