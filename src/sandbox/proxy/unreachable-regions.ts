import type { ProxyService, UnreachableRegion } from './proxy-profile';

/**
 * Regions whose endpoint stops answering: a request either hangs (no answer until the
 * client gives up) or has its connection reset. Route 53 is global, so an unreachable
 * region drops its Route 53 calls only when the entry names route53 as its service.
 */

export function unreachableMode(
  entries: readonly UnreachableRegion[],
  call: { service: ProxyService; region: string },
): UnreachableRegion['mode'] | undefined {
  const entry = entries.find(
    (e) => e.region === call.region && (e.service !== undefined ? e.service === call.service : call.service !== 'route53'),
  );
  return entry?.mode;
}
