import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import type { IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { logger } from '../logger';
import type { OutboundPolicy } from './outbound-policy';
import { judgeAddress } from './outbound-policy';
import { ipFamily } from './special-addresses';

/**
 * lifeboat's one way to call out (runbooks' notify, the verify hook): a JSON POST that goes
 * only where LIFEBOAT_OUTBOUND_HOSTS allows (outbound-policy.ts).
 *
 * The address judged is the address connected to: a host name is resolved by the request's
 * own lookup, which refuses the whole request when any address the name has is not allowed,
 * and the socket then connects to the address that lookup returned. A DNS answer that
 * changes between a check and the connection (DNS rebinding) has nothing to slip through.
 * Redirects are not followed (a 3xx is an answer like any other), the body read back is
 * capped, and nothing but the verdict and the status is meant for people who did not
 * configure the call: why a request was refused, or why it got no answer, goes to the log.
 */

export type OutboundAnswer =
  | { verdict: 'refused'; reason: string }
  | { verdict: 'allowed'; status: number; text: string }
  | { verdict: 'allowed'; status: undefined; reason: string };

interface PostOptions {
  policy: OutboundPolicy;
  timeoutMs: number;
  /** Aborts the request (a cancelled run). */
  signal?: AbortSignal;
  /** What calls out, for the log: "notify", "verify hook". */
  purpose: string;
}

const MAX_ANSWER_BYTES = 64 * 1024;

class Refused extends Error {}

/** The URL's host as the socket sees it: IPv6 without brackets, lower case, no trailing dot. */
const socketHost = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();

const defaultPort = (url: URL) => Number(url.port || (url.protocol === 'https:' ? 443 : 80));

/** A DNS lookup that answers only with addresses the policy allows, and fails when the name has any other. */
function checkedLookup(policy: OutboundPolicy, host: string, port: number): LookupFunction {
  return (hostname: string, options: LookupOptions, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const list = addresses as LookupAddress[];
      for (const a of list) {
        const verdict = judgeAddress(policy, host, a.address, port);
        if (!verdict.allowed) return callback(new Refused(verdict.reason), '');
      }
      if (options.all) return callback(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

/** POST `body` as JSON to `url`, if the policy allows it; never throws for an answer or its absence. */
export async function postJson(url: URL, body: unknown, options: PostOptions): Promise<OutboundAnswer> {
  const host = socketHost(url);
  const port = defaultPort(url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return refused(options, url, `${url.protocol} is not http or https`);
  if (url.username || url.password) return refused(options, url, 'the URL carries credentials');
  if (ipFamily(host)) {
    const verdict = judgeAddress(options.policy, host, host, port);
    if (!verdict.allowed) return refused(options, url, verdict.reason);
  }
  try {
    const answer = await send(url, JSON.stringify(body), host, port, options);
    return { verdict: 'allowed', ...answer };
  } catch (e) {
    if (e instanceof Refused) return refused(options, url, e.message);
    const reason = e instanceof Error ? e.message : String(e);
    logger.warn({ purpose: options.purpose, host: url.host, reason }, `${options.purpose}: ${url.host} did not answer`);
    return { verdict: 'allowed', status: undefined, reason };
  }
}

function refused(options: PostOptions, url: URL, reason: string): OutboundAnswer {
  logger.warn({ purpose: options.purpose, host: url.host, reason }, `${options.purpose}: refused to call ${url.host}`);
  return { verdict: 'refused', reason };
}

function send(url: URL, payload: string, host: string, port: number, options: PostOptions): Promise<{ status: number; text: string }> {
  const signal = options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]) : AbortSignal.timeout(options.timeoutMs);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'user-agent': 'lifeboat' },
        // A fresh connection every time: a pooled socket would skip the lookup that checks the address.
        agent: false,
        lookup: checkedLookup(options.policy, host, port),
        signal,
      },
      (res) => readCapped(res).then((text) => resolve({ status: res.statusCode ?? 0, text }), reject),
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** The answer's body, at most MAX_ANSWER_BYTES of it. */
function readCapped(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      if (size >= MAX_ANSWER_BYTES) return;
      chunks.push(chunk);
      size += chunk.length;
      if (size >= MAX_ANSWER_BYTES) res.destroy();
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8').slice(0, MAX_ANSWER_BYTES)));
    res.on('close', () => resolve(Buffer.concat(chunks).toString('utf8').slice(0, MAX_ANSWER_BYTES)));
    res.on('error', reject);
  });
}
