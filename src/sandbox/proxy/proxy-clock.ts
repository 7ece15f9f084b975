/** The proxy's sense of time: wall-clock milliseconds. Tests pass a fake one. */
export interface ProxyClock {
  now(): number;
}

export const systemProxyClock: ProxyClock = { now: () => Date.now() };

/** Seconds of simulated AWS time in real milliseconds, after the profile's time scale. */
export function scaledMs(seconds: number, timeScale: number): number {
  return seconds * timeScale * 1000;
}
