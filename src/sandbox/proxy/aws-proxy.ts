import type { IncomingMessage, Server, ServerResponse } from 'node:http';
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
import type { FireOutcome, FireRequest } from './scheduled-firing';
import { fireScheduledActions } from './scheduled-firing';
import { EC2_HANDLERS } from './ec2-handlers';
import { unreachableMode } from './unreachable-regions';
import type { UpstreamRequest } from './upstream';
import { Upstream } from './upstream';
import { codedError, serverError, throttlingError } from './wire-errors';

/**
 * The AWS realism and fault proxy: an HTTP server in front of moto that adds what real AWS
 * does and moto does not (latency, throttling, slow launches, DNS propagation, capacity
 * faults, 5xx bursts, regions that stop answering), all in AWS's wire formats, so the SDK's
 * own retries and error handling run as they would against AWS. Point AWS_ENDPOINT_URL (or
 * an SDK client's endpoint) at `endpoint`. Each call goes: dropped? -> latency ->
 * throttled? -> injected 5xx? -> moto (rewritten where AWS would answer otherwise).
 */

interface AwsProxyOptions {
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
  /** Fire scheduled actions now, as AWS would at their time (moto never does): a group with ScheduledActions suspended is skipped. */
  fireScheduledActions(request: FireRequest): Promise<FireOutcome>;
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

/** What every request handler of one proxy shares. */
interface ProxyParts {
  state: ProxyState;
  upstream: Upstream;
  sockets: HeldSockets;
  /** moto's endpoint, shown by the admin endpoint. */
  target: string;
}

export async function startAwsProxy(options: AwsProxyOptions): Promise<AwsProxy> {
  const clock = options.clock ?? systemProxyClock;
  const proxy: ProxyParts = {
    state: new ProxyState(loadProfile(options.profile), clock, options.random),
    upstream: new Upstream(options.target),
    sockets: new HeldSockets(),
    target: options.target,
  };
  const server = createServer((req, res) => {
    void answerRequest(proxy, req, res).catch((e: unknown) => answerProxyFailure(res, e));
  });
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port ?? 0, host);
  const { state } = proxy;
  return {
    endpoint: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    profile: () => state.profile,
    setProfile: (p) => state.replace(p),
    patchProfile: (p) => state.patch(p),
    counters: () => state.counters.list(),
    resetCounters: () => state.counters.reset(),
    fireScheduledActions: (request) => fireScheduledActions(proxy.upstream, request),
    stop: () => stopProxy(server, proxy),
  };
}

/**
 * Every request: the proxy's own admin endpoint and moto's (/moto-api) are answered or
 * forwarded as they are; anything else is an AWS call, classified and sent through the
 * faults. A call that fails on its way is counted as an upstream error.
 */
async function answerRequest(proxy: ProxyParts, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? '/';
  const method = req.method ?? 'GET';
  const body = await readBody(req);
  if (isAdminPath(url)) return handleAdmin(method, url, body.toString('utf8'), res, proxy.state, proxy.target, proxy.upstream);
  const request: UpstreamRequest = { method, url, headers: req.headers, body };
  if (url.startsWith('/moto-api')) {
    await proxy.upstream.pipe(request, res);
    return;
  }
  const call = classifyRequest(method, url, req.headers, body.toString('utf8'));
  try {
    await answerCall(proxy, req, res, call, request);
  } catch (e) {
    proxy.state.counters.record(call, 'upstream-error');
    throw e;
  }
}

/**
 * One AWS call, through the faults in the order a caller meets them against real AWS: a
 * region that does not answer drops it; then the latency; then throttling, an injected 5xx,
 * or moto's answer (see answerOrFault). Services the proxy does not simulate go straight to
 * moto. Every call is counted with its outcome.
 */
async function answerCall(proxy: ProxyParts, req: IncomingMessage, res: ServerResponse, call: ClassifiedCall, request: UpstreamRequest): Promise<void> {
  const { state, upstream } = proxy;
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
    return proxy.sockets.drop(req, mode);
  }
  const wait = latencyMs(profile.latency, ctx.call.service, state.random);
  if (wait > 0) await delay(wait);
  const outcome = await answerOrFault(ctx);
  state.counters.record(call, outcome);
}

/**
 * After the latency: throttled when the call's bucket is empty, else an injected 5xx when a
 * burst is due, else moto's answer, through a handler where AWS would answer otherwise (Pending
 * instances, PENDING changes, capacity faults). The profile is read again here: it may have
 * changed while the call waited.
 */
async function answerOrFault(ctx: CallContext): Promise<CallOutcome> {
  const { call, res, state } = ctx;
  if (state.profile.throttling.enabled && !state.buckets.tryTake(call.service, call.region, call.action)) {
    sendWire(res, throttlingError(call.service));
    return 'throttled';
  }
  const injected = state.serverErrors.take(call);
  if (injected !== undefined) {
    sendWire(res, serverError(call.service, injected));
    return 'error';
  }
  const rejection = state.rejections.take({ ...call, ...groupOf(call) });
  if (rejection) {
    sendWire(res, codedError(call.service, rejection.status, rejection.code, rejection.message));
    return 'rejected';
  }
  const handler = (call.service === 'autoscaling' ? AUTO_SCALING_HANDLERS : call.service === 'route53' ? ROUTE53_HANDLERS : EC2_HANDLERS)[call.action];
  const status = await (handler ?? passThrough)(ctx);
  return status >= 400 ? 'upstream-error' : 'ok';
}

/** The Auto Scaling group a Query-protocol call names, if any. */
function groupOf(call: ClassifiedCall): { group?: string } {
  const group = call.params.get('AutoScalingGroupName');
  return group ? { group } : {};
}

/** A request that failed in the proxy itself: 502 with the reason, or a cut connection once an answer has begun. */
function answerProxyFailure(res: ServerResponse, e: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const message = `lifeboat AWS proxy: ${e instanceof Error ? e.message : String(e)}`;
  res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(message)) });
  res.end(message);
}

/**
 * The connections of calls to a region that does not answer. A held one gets no answer
 * until MAX_HANG_MS has passed or the proxy stops, whatever the client does; a reset one is
 * cut as a dead endpoint would cut it.
 */
class HeldSockets {
  private readonly held = new Set<Socket>();

  drop(req: IncomingMessage, mode: 'hang' | 'reset'): void {
    if (mode === 'hang') return this.hold(req.socket);
    const socket = req.socket as Socket & { resetAndDestroy?: () => void };
    if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
    else socket.destroy();
  }

  releaseAll(): void {
    for (const socket of this.held) socket.destroy();
  }

  private hold(socket: Socket): void {
    this.held.add(socket);
    const release = setTimeout(() => socket.destroy(), MAX_HANG_MS);
    release.unref();
    socket.once('close', () => {
      clearTimeout(release);
      this.held.delete(socket);
    });
  }
}

/** Resolves with the port once the server listens; rejects when it cannot (the port is taken). */
function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Held connections are let go first, so closing the server does not wait for them. */
async function stopProxy(server: Server, proxy: ProxyParts): Promise<void> {
  proxy.sockets.releaseAll();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
  proxy.upstream.destroy();
}
