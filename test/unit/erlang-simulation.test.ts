import { describe, expect, it } from 'vitest';
import { erlangC, erlangServiceLevel } from '../../src/core/models/erlang';

/**
 * The queueing model checked against something that shares none of its formulas: a
 * discrete-event simulation of an M/M/c queue (Poisson arrivals, exponential service, c
 * servers, first come first served), seeded so it gives the same answer every run. With
 * FCFS, a customer waits for the earliest server to free up: wait = max(0, free − arrival).
 * The share of customers who wait estimates erlangC(c, A); the share who wait at most t
 * estimates the service level. Each comes with a 99 % confidence interval from batch means.
 */

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const exponential = (random: () => number, rate: number) => -Math.log(1 - random()) / rate;

/** Server free times as a binary min-heap: the earliest is at the top. */
class FreeTimes {
  private readonly heap: number[];
  constructor(servers: number) {
    this.heap = new Array<number>(servers).fill(0);
  }
  earliest(): number {
    return this.heap[0]!;
  }
  /** The earliest server is busy until `until`. */
  replaceEarliest(until: number): void {
    const h = this.heap;
    h[0] = until;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && h[l]! < h[m]!) m = l;
      if (r < h.length && h[r]! < h[m]!) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}

interface Estimate {
  mean: number;
  halfWidth: number;
}

interface Simulated {
  waitProbability: Estimate;
  serviceLevel: Estimate;
}

/** Student's t at 99 % two-sided for 19 degrees of freedom (20 batches). */
const T_99_19 = 2.861;
const BATCHES = 20;

function simulate(servers: number, load: number, serviceRate: number, answerWithin: number, customers: number, seed: number): Simulated {
  const random = prng(seed);
  const arrivalRate = load * serviceRate;
  const free = new FreeTimes(servers);
  const warmUp = Math.floor(customers / 10);
  const perBatch = Math.floor((customers - warmUp) / BATCHES);
  const waited = new Array<number>(BATCHES).fill(0);
  const withinTarget = new Array<number>(BATCHES).fill(0);
  let now = 0;
  for (let n = 0; n < warmUp + perBatch * BATCHES; n++) {
    now += exponential(random, arrivalRate);
    const start = Math.max(now, free.earliest());
    free.replaceEarliest(start + exponential(random, serviceRate));
    if (n < warmUp) continue;
    const batch = Math.floor((n - warmUp) / perBatch);
    const wait = start - now;
    if (wait > 0) waited[batch]!++;
    if (wait <= answerWithin) withinTarget[batch]!++;
  }
  return { waitProbability: batchMeans(waited.map((w) => w / perBatch)), serviceLevel: batchMeans(withinTarget.map((w) => w / perBatch)) };
}

function batchMeans(values: number[]): Estimate {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1);
  return { mean, halfWidth: (T_99_19 * Math.sqrt(variance)) / Math.sqrt(values.length) };
}

describe('erlangC and the service level against a simulated M/M/c queue', () => {
  it.each([
    // servers, load (erlangs), service rate (per second), answer within (seconds), customers
    ['small', 2, 1.5, 1, 0.5, 400_000],
    ['medium', 20, 16, 0.5, 0.2, 400_000],
    ['large', 200, 180, 2, 0.01, 1_000_000],
  ])('%s: %i servers at %f erlangs agree within the 99-percent confidence interval', (_size, servers, load, serviceRate, answerWithin, customers) => {
    const sim = simulate(servers, load, serviceRate, answerWithin, customers, 20261124 + servers);
    const expectedWait = erlangC(servers, load);
    const expectedLevel = erlangServiceLevel(servers, load, serviceRate, answerWithin);
    // The intervals are narrow enough to mean something...
    expect(sim.waitProbability.halfWidth).toBeLessThan(0.03);
    expect(sim.serviceLevel.halfWidth).toBeLessThan(0.03);
    // ...and hold the model's figures.
    expect(Math.abs(sim.waitProbability.mean - expectedWait)).toBeLessThanOrEqual(sim.waitProbability.halfWidth);
    expect(Math.abs(sim.serviceLevel.mean - expectedLevel)).toBeLessThanOrEqual(sim.serviceLevel.halfWidth);
  });

  it('tells a wrong formula apart: one server fewer than simulated is outside the interval', () => {
    const sim = simulate(20, 16, 0.5, 0.2, 400_000, 7);
    expect(Math.abs(sim.waitProbability.mean - erlangC(19, 16))).toBeGreaterThan(sim.waitProbability.halfWidth);
  });
});
