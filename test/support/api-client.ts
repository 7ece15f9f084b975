import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../../src/api/app';
import type { TestLifeboat } from './harness';
import { TEST_TOKENS } from './harness';

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

export interface TestApi {
  url: string;
  call(method: string, path: string, options?: { body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<ApiResponse>;
  close(): Promise<void>;
}

/** The real app on a real port: requests go through HTTP, as a client's would. */
export async function startApi(lb: TestLifeboat): Promise<TestApi> {
  await lb.ready();
  const server: Server = buildApp(lb.apiDeps()).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { ...apiClient(url), close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A client of the lifeboat API at `url`, wherever it runs (this process or another). */
export function apiClient(url: string): Omit<TestApi, 'close'> {
  return {
    url,
    async call(method, path, options = {}) {
      // The admin token unless the test says otherwise (an explicit authorization header, or null to send none).
      const headers: Record<string, string> = { authorization: `Bearer ${TEST_TOKENS.admin}`, ...(options.headers ?? {}) };
      if (options.headers?.authorization === '') delete headers.authorization;
      let body: string | undefined;
      if (options.raw !== undefined) body = options.raw;
      else if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(url + path, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: res.status, headers: res.headers, body: parsed, text };
    },
  };
}
