import type { CallHandler } from './call-context';
import { sendUpstream } from './call-context';
import { tagText } from './xml-text';

/**
 * EC2 calls the proxy changes: instance status (impaired status checks, which moto never
 * reports) and instance type offerings (a type a zone does not offer). moto's answers are
 * rewritten item by item in EC2's own XML.
 */

/** An instance's id and, after it in the same item (AWS and moto both list the id first), its instance status check. */
const ID_THEN_STATUS = /(<instanceId>([^<]+)<\/instanceId>(?:(?!<instanceId>)[\s\S])*?)<instanceStatus>[\s\S]*?<\/instanceStatus>/g;
const IMPAIRED = '<instanceStatus><details><item><name>reachability</name><status>failed</status></item></details><status>impaired</status></instanceStatus>';

/** DescribeInstanceStatus: the impaired instances' instance status check reports impaired. */
const instanceStatus: CallHandler = async (ctx) => {
  const impaired = new Set(ctx.state.profile.groups.impairedInstances);
  const answer = await ctx.upstream.fetch(ctx.request);
  if (impaired.size === 0) return sendUpstream(ctx.res, answer);
  return sendUpstream(ctx.res, answer, (xml) => markImpaired(xml, impaired));
};

/** DescribeInstanceStatus's answer with the instance status check of each impaired instance failing. */
export function markImpaired(xml: string, impaired: ReadonlySet<string>): string {
  return xml.replace(ID_THEN_STATUS, (whole: string, before: string, id: string) => (impaired.has(id) ? `${before}${IMPAIRED}` : whole));
}

/** DescribeInstanceTypeOfferings: the types a region or zone does not offer are left out. */
const typeOfferings: CallHandler = async (ctx) => {
  const region = ctx.call.region;
  const missing = ctx.state.profile.groups.instanceTypesNotOffered.filter((m) => m.region === region);
  const answer = await ctx.upstream.fetch(ctx.request);
  if (missing.length === 0) return sendUpstream(ctx.res, answer);
  return sendUpstream(ctx.res, answer, (xml) => withoutOfferings(xml, missing));
};

/** DescribeInstanceTypeOfferings's answer without the offerings of the missing types (in their zone, or anywhere in the region). */
export function withoutOfferings(xml: string, missing: ReadonlyArray<{ availabilityZone?: string | undefined; instanceType: string }>): string {
  return xml.replace(/<item>([\s\S]*?)<\/item>/g, (item: string, inner: string) => {
    const type = tagText(inner, 'instanceType');
    const location = tagText(inner, 'location');
    const gone = missing.some((m) => m.instanceType === type && (m.availabilityZone === undefined || m.availabilityZone === location));
    return gone ? '' : item;
  });
}

export const EC2_HANDLERS: Record<string, CallHandler> = {
  DescribeInstanceStatus: instanceStatus,
  DescribeInstanceTypeOfferings: typeOfferings,
};
