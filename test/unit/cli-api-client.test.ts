import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, ApiError } from '../../src/cli/api-client';
import { healthzSchema, operationOneSchema } from '../../src/operations/api-responses';

/** The CLI's client parses every JSON answer with the route's response schema: a match is typed data, a mismatch a clear ApiError. */

let answer = '';
const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(answer));
let client: ApiClient;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new ApiClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, userAgent: 'test' });
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe("the CLI's API client", () => {
  it('returns an answer that matches the schema, parsed', async () => {
    answer = JSON.stringify({ status: 'ok' });
    const res = await client.get('/healthz', healthzSchema);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('refuses an answer that does not match, naming the field, with LB_ERR_BAD_RESPONSE', async () => {
    answer = JSON.stringify({ operation: { id: 'op_1', state: 'exploded' } });
    const error = await client.get('/v1/operations/op_1', operationOneSchema).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'LB_ERR_BAD_RESPONSE', message: expect.stringMatching(/^GET \/v1\/operations\/op_1 answered 200 with JSON this CLI does not understand \(operation\.\w+: /) });
  });

  it('refuses a body that is not JSON', async () => {
    answer = '<html>a proxy</html>';
    await expect(client.get('/healthz', healthzSchema)).rejects.toMatchObject({ code: 'LB_ERR_BAD_RESPONSE', message: expect.stringContaining('not JSON') });
  });
});
