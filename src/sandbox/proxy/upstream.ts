import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Agent, request } from 'node:http';

/**
 * The way to moto: a request forwarded as it came (method, path, headers, body), its answer
 * either buffered (when the proxy rewrites it) or streamed straight back to the client.
 */

export interface UpstreamRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface BufferedResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'expect']);

function forwardableHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.has(k.toLowerCase())) out[k] = v;
  return out;
}

export class Upstream {
  private readonly target: URL;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });

  constructor(target: string) {
    this.target = new URL(target);
  }

  private open(req: UpstreamRequest, onResponse: (res: IncomingMessage) => void, onError: (e: Error) => void): void {
    const headers = forwardableHeaders(req.headers);
    headers['content-length'] = String(req.body.length);
    const outgoing = request(
      {
        protocol: this.target.protocol,
        hostname: this.target.hostname,
        port: this.target.port,
        method: req.method,
        path: req.url,
        headers,
        agent: this.agent,
      },
      onResponse,
    );
    outgoing.on('error', onError);
    outgoing.end(req.body);
  }

  /** The whole answer, for rewriting. */
  fetch(req: UpstreamRequest): Promise<BufferedResponse> {
    return new Promise((resolve, reject) => {
      this.open(
        req,
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
        reject,
      );
    });
  }

  /** Streams the answer to `out`; resolves with moto's status once it is sent. */
  pipe(req: UpstreamRequest, out: ServerResponse): Promise<number> {
    return new Promise((resolve, reject) => {
      this.open(
        req,
        (res) => {
          const status = res.statusCode ?? 502;
          out.writeHead(status, forwardableHeaders(res.headers));
          res.pipe(out);
          res.on('end', () => resolve(status));
          res.on('error', reject);
        },
        reject,
      );
    });
  }

  destroy(): void {
    this.agent.destroy();
  }
}

/** A buffered answer sent on, with a new body: length recomputed, moto's checksum dropped. */
export function sendRewritten(out: ServerResponse, res: BufferedResponse, body: string | Buffer): void {
  const headers = forwardableHeaders(res.headers);
  delete headers['x-amz-crc32'];
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  headers['content-length'] = String(bytes.length);
  out.writeHead(res.status, headers);
  out.end(bytes);
}
