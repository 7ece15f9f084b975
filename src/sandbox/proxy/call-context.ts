import type { ServerResponse } from 'node:http';
import type { ProxyService } from './proxy-profile';
import type { ProxyState } from './proxy-state';
import type { ClassifiedCall } from './request-classifier';
import type { BufferedResponse, Upstream, UpstreamRequest } from './upstream';
import { sendRewritten } from './upstream';
import type { WireResponse } from './wire-errors';

/** One AWS call on its way through the proxy, and what a handler needs to answer it. */
export interface CallContext {
  call: ClassifiedCall & { service: ProxyService };
  request: UpstreamRequest;
  res: ServerResponse;
  state: ProxyState;
  upstream: Upstream;
}

/** Answers a call: returns the HTTP status the client got. */
export type CallHandler = (ctx: CallContext) => Promise<number>;

export function sendWire(res: ServerResponse, answer: WireResponse): number {
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body);
  return answer.status;
}

/** Sends moto's buffered answer on, rewritten by `rewrite` when it succeeded. */
export function sendUpstream(res: ServerResponse, answer: BufferedResponse, rewrite?: (xml: string) => string): number {
  const body = answer.status < 300 && rewrite ? rewrite(answer.body.toString('utf8')) : answer.body;
  sendRewritten(res, answer, body);
  return answer.status;
}

/** Forwards the call untouched, streaming moto's answer back. */
export const passThrough: CallHandler = (ctx) => ctx.upstream.pipe(ctx.request, ctx.res);
