import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookReceiver {
  url: string;
  messages: Array<Record<string, unknown>>;
  /** Answer 500 to the next `n` messages. */
  failNext(n: number): void;
  close(): Promise<void>;
}

/** A webhook endpoint that keeps what it receives, like a Slack incoming webhook would. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const messages: Array<Record<string, unknown>> = [];
  let failures = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (failures > 0) {
        failures--;
        res.writeHead(500).end('nope');
        return;
      }
      messages.push(JSON.parse(body) as Record<string, unknown>);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/test`,
    messages,
    failNext: (n) => (failures = n),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
