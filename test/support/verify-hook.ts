import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What lifeboat POSTs to LIFEBOAT_VERIFY_HOOK_URL after each stage (the fields tests look at). */
export interface VerifyRequest {
  operationId: string;
  stage: number;
  percent: number;
  [field: string]: unknown;
}

export interface VerifyHook {
  url: string;
  /** Every request received, in order. */
  requests: VerifyRequest[];
  close(): Promise<void>;
}

/** A stage check the test controls: `answer` decides what each request gets back (as JSON, 200). */
export async function startVerifyHook(answer: (request: VerifyRequest) => { ok: boolean; reason?: string }): Promise<VerifyHook> {
  const requests: VerifyRequest[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const request = JSON.parse(body) as VerifyRequest;
      requests.push(request);
      const text = JSON.stringify(answer(request));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }).end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/verify`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
