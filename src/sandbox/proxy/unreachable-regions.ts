import type { ProxyService, UnreachableRegion } from './proxy-profile';

/**
 * Regions whose endpoint stops answering: a request either hangs (no answer until the
 * client gives up) or has its connection reset. Route 53 is global, so an unreachable
 * region drops its Route 53 calls only when the entry names route53 as its service. An entry
 * with actions drops only those: {region: us-east-1, service: route53, actions:
 * [ChangeResourceRecordSets]} is Route 53's change API down while reads and CloudWatch answer.
 */

export function unreachableMode(
  entries: readonly UnreachableRegion[],
  call: { service: ProxyService; region: string; action: string },
): UnreachableRegion['mode'] | undefined {
  const entry = entries.find(
    (e) =>
      e.region === call.region &&
      (e.service !== undefined ? e.service === call.service : call.service !== 'route53') &&
      (e.actions === undefined || e.actions.includes(call.action)),
  );
  return entry?.mode;
}
