import type { CallHandler } from './call-context';
import { passThrough, sendUpstream, sendWire } from './call-context';
import { DnsChanges, getChangeXml, rewriteChangeInfo } from './dns-propagation';
import { xmlResponse } from './wire-errors';
import { tagText } from './xml-text';

/**
 * Route 53 calls the proxy changes: each ChangeResourceRecordSets gets its own change id and
 * is PENDING for the propagation time; GetChange for those ids is answered here.
 */

const changeRecordSets: CallHandler = async (ctx) => {
  const answer = await ctx.upstream.fetch(ctx.request);
  return sendUpstream(ctx.res, answer, (xml) => {
    const now = ctx.state.clock.now();
    const change = ctx.state.dns.submit(now, ctx.state.propagationMs(), tagText(ctx.request.body.toString('utf8'), 'Comment'));
    return rewriteChangeInfo(xml, change, DnsChanges.status(change, now));
  });
};

const getChange: CallHandler = async (ctx) => {
  const change = ctx.call.resourceId !== undefined ? ctx.state.dns.find(ctx.call.resourceId) : undefined;
  if (!change) return passThrough(ctx);
  const status = DnsChanges.status(change, ctx.state.clock.now());
  return sendWire(ctx.res, xmlResponse(200, getChangeXml(change, status)));
};

export const ROUTE53_HANDLERS: Record<string, CallHandler> = {
  ChangeResourceRecordSets: changeRecordSets,
  GetChange: getChange,
};
