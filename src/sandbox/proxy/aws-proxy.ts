import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { isAdminPath, handleAdmin } from './admin-routes';
import { AUTO_SCALING_HANDLERS } from './auto-scaling-handlers';
import type { CallContext } from './call-context';
import { passThrough, sendWire } from './call-context';
import type { CallCounter, CallOutcome } from './call-counters';
import { latencyMs } from './latency';
import { loadProfile } from './named-profiles';
import type { ProxyClock } from './proxy-clock';
import { systemProxyClock } from './proxy-clock';
import type { ProxyProfile, ProxyProfileInput } from './proxy-profile';
import { ProxyState } from './proxy-state';
import type { ClassifiedCall } from './request-classifier';
import { classifyRequest, isProxyService } from './request-classifier';
import { ROUTE53_HANDLERS } from './route53-handlers';
import { unreachableMode } from './unreachable-regions';
import type { UpstreamRequest } from './upstream';
import { Upstream } from './upstream';
import { serverError, throttlingError } from './wire-errors';

/**
 * The AWS realism and fault proxy: an HTTP server in front of moto that adds what real AWS
 * does and moto does not (latency, throttling, slow launches, DNS propagation, capacity
 * faults, 5xx bursts, regions that stop answering), all in AWS's wire formats, so the SDK's
 * own retries and error handling run as they would against AWS. Point AWS_ENDPOINT_URL (or
 * an SDK client's endpoint) at `endpoint`. Each call goes: dropped? -> latency ->
 * throttled? -> injected 5xx? -> moto (rewritten where AWS would answer otherwise).
 */

export interface AwsProxyOptions {
  /** moto's endpoint, e.g. http://127.0.0.1:5000. */
  target: string;
  /** A profile object, a built-in name (realistic, demo, instant) or a JSON file path. Default instant. */
  profile?: ProxyProfileInput | string;
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Wall-clock milliseconds for launch, DNS and throttling times; tests only. */
  clock?: ProxyClock;
  /** Randomness for latency jitter and 5xx probability; tests only. */
  random?: () => number;
}

export interface AwsProxy {
  endpoint: string;
  port: number;
  profile(): ProxyProfile;
  /** Replaces the profile; every fault is armed afresh. Throws ProfileError naming the field. */
  setProfile(profile: ProxyProfileInput): ProxyProfile;
  /** Merges into the profile; the sections named are armed afresh. */
  patchProfile(patch: unknown): ProxyProfile;
  counters(): CallCounter[];
  resetCounters(): void;
  stop(): Promise<void>;
}

/** A request held without an answer is let go after this long, whatever the client does. */
const MAX_HANG_MS = 10 * 60_000;
const MAX_BODY_BYTES = 16 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`request body over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function startAwsProxy(options: AwsProxyOptions): Promise<AwsProxy> {
  const clock = options.clock ?? systemProxyClock;
  const state = new ProxyState(loadProfile(options.profile), clock, options.random);
  const upstream = new Upstream(options.target);
  const held = new Set<Socket>();

  const hold = (socket: Socket) => {
    held.add(socket);
    const release = setTimeout(() => socket.destroy(), MAX_HANG_MS);
    release.unref();
    socket.once('close', () => {
      clearTimeout(release);
      held.delete(socket);
    });
  };

  const drop = (req: IncomingMessage, mode: 'hang' | 'reset') => {
    if (mode === 'hang') return hold(req.socket);
    const socket = req.socket as Socket & { resetAndDestroy?: () => void };
    if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
    else socket.destroy();
  };

  const handleCall = async (req: IncomingMessage, res: ServerResponse, call: ClassifiedCall, request: UpstreamRequest): Promise<void> => {
    if (!isProxyService(call.service)) {
      const status = await upstream.pipe(request, res);
      state.counters.record(call, status >= 400 ? 'upstream-error' : 'ok');
      return;
    }
    const ctx: CallContext = { call: { ...call, service: call.service }, request, res, state, upstream };
    const profile = state.profile;
    const mode = unreachableMode(profile.unreachable, ctx.call);
    if (mode) {
      state.counters.record(call, 'dropped');
      return drop(req, mode);
    }
    const wait = latencyMs(profile.latency, ctx.call.service, state.random);
    if (wait > 0) await delay(wait);

    let outcome: CallOutcome;
    if (state.profile.throttling.enabled && !state.buckets.tryTake(ctx.call.service, call.region, call.action)) {
      sendWire(res, throttlingError(ctx.call.service));
      outcome = 'throttled';
    } else {
      const injected = state.serverErrors.take(ctx.call);
      if (injected !== undefined) {
        sendWire(res, serverError(ctx.call.service, injected));
        outcome = 'error';
      } else {
        const handler = (ctx.call.service === 'autoscaling' ? AUTO_SCALING_HANDLERS : ctx.call.service === 'route53' ? ROUTE53_HANDLERS : {})[call.action];
        const status = await (handler ?? passThrough)(ctx);
        outcome = status >= 400 ? 'upstream-error' : 'ok';
      }
    }
    state.counters.record(call, outcome);
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = req.url ?? '/';
      const method = req.method ?? 'GET';
      const body = await readBody(req);
      if (isAdminPath(url)) return handleAdmin(method, url, body.toString('utf8'), res, state, options.target);
      const request: UpstreamRequest = { method, url, headers: req.headers, body };
      if (url.startsWith('/moto-api')) {
        await upstream.pipe(request, res);
        return;
      }
      const call = classifyRequest(method, url, req.headers, body.toString('utf8'));
      try {
        await handleCall(req, res, call, request);
      } catch (e) {
        state.counters.record(call, 'upstream-error');
        throw e;
      }
    })().catch((e: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const message = `lifeboat AWS proxy: ${e instanceof Error ? e.message : String(e)}`;
      res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(message)) });
      res.end(message);
    });
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    endpoint,
    port,
    profile: () => state.profile,
    setProfile: (p) => state.replace(p),
    patchProfile: (p) => state.patch(p),
    counters: () => state.counters.list(),
    resetCounters: () => state.counters.reset(),
    stop: async () => {
      for (const socket of held) socket.destroy();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      upstream.destroy();
    },
  };
}
