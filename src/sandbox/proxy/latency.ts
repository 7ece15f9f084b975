import type { ProxyProfile, ProxyService } from './proxy-profile';

/** Per-call latency: fixed plus uniform jitter, the service's own setting if it has one. */
export function latencyMs(latency: ProxyProfile['latency'], service: ProxyService, random: () => number = Math.random): number {
  const own = latency.services[service];
  const fixedMs = own?.fixedMs ?? latency.fixedMs;
  const jitterMs = own?.jitterMs ?? latency.jitterMs;
  return fixedMs + (jitterMs > 0 ? random() * jitterMs : 0);
}
