import type { z } from 'zod';

/**
 * The lifeboat HTTP API as the CLI sees it: JSON in and out, a bearer token when one is
 * set, and two kinds of failure kept apart: the API answered with an error (ApiError), or
 * it could not be reached at all (ApiUnreachable). Every JSON answer is parsed with the
 * response schema the API publishes for the route (operations/api-responses.ts), and typed
 * by it: an answer that does not match is an ApiError (LB_ERR_BAD_RESPONSE), not a crash
 * further on.
 */

interface ApiErrorBody {
  code: string;
  message: string;
  hint?: string;
  details?: Record<string, unknown>;
}

/** The API answered 4xx/5xx; code, message and hint come from its error body. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  /** What the CLI adds to the API's hint (how to retry safely). */
  retryHint?: string;

  constructor(status: number, body: ApiErrorBody) {
    super(body.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.code;
    this.hint = body.hint;
    this.details = body.details;
  }
}

/** No answer: connection refused, DNS, TLS or a timeout. */
export class ApiUnreachable extends Error {
  readonly url: string;
  /** What the CLI adds to the hint (how to retry safely). */
  retryHint?: string;

  constructor(url: string, reason: string) {
    super(`cannot reach the lifeboat API at ${url}: ${reason}`);
    this.name = 'ApiUnreachable';
    this.url = url;
  }
}

interface ApiClientOptions {
  baseUrl: string;
  token?: string;
  userAgent: string;
  /** Per request; a request that takes longer counts as unreachable. */
  timeoutMs?: number;
}

interface RequestOptions {
  body?: unknown;
  /** A JSON body sent exactly as given (a signed trigger's bytes), instead of `body`. */
  raw?: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
}

interface ApiResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

const DEFAULT_TIMEOUT_MS = 60_000;

export class ApiClient {
  private readonly base: string;

  constructor(private readonly options: ApiClientOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
  }

  get baseUrl(): string {
    return this.base;
  }

  /** GET a JSON answer, parsed and typed by the route's response schema. */
  async get<S extends z.ZodType>(path: string, schema: S, options: RequestOptions = {}): Promise<ApiResponse<z.output<S>>> {
    return this.request('GET', path, schema, options);
  }

  /** POST (an empty JSON object unless a body is given) for a JSON answer, parsed and typed by the route's response schema. */
  async post<S extends z.ZodType>(path: string, schema: S, options: RequestOptions = {}): Promise<ApiResponse<z.output<S>>> {
    return this.request('POST', path, schema, { body: {}, ...options });
  }

  /** A JSON answer, parsed and typed by `schema`. */
  async request<S extends z.ZodType>(method: string, path: string, schema: S, options: RequestOptions = {}): Promise<ApiResponse<z.output<S>>> {
    const res = await this.send(method, path, options, false);
    let json: unknown;
    try {
      json = JSON.parse(res.text);
    } catch {
      throw new ApiError(res.status, { code: 'LB_ERR_BAD_RESPONSE', message: `${method} ${path} answered ${res.status} with a body that is not JSON: ${res.text.slice(0, 200)}`, hint: WRONG_URL_HINT });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ApiError(res.status, {
        code: 'LB_ERR_BAD_RESPONSE',
        message: `${method} ${path} answered ${res.status} with JSON this CLI does not understand (${issue ? `${issue.path.join('.') || 'the body'}: ${issue.message}` : 'no detail'})`,
        hint: 'Use a lifeboat CLI of the same version as the API, and check that --url / LIFEBOAT_URL points at the lifeboat API.',
      });
    }
    return { status: res.status, headers: res.headers, body: parsed.data };
  }

  /** A text answer (Accept: text/plain), as it is. */
  async text(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<string>> {
    const res = await this.send(method, path, options, true);
    return { status: res.status, headers: res.headers, body: res.text };
  }

  private async send(method: string, path: string, options: RequestOptions, text: boolean): Promise<{ status: number; headers: Headers; text: string }> {
    const url = new URL(this.base + path);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = {
      accept: text ? 'text/plain' : 'application/json',
      'user-agent': this.options.userAgent,
      ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}),
      ...(options.body !== undefined || options.raw !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    };
    let res: Response;
    let body: string;
    try {
      res = await fetch(url, {
        method,
        headers,
        ...(options.raw !== undefined ? { body: options.raw } : options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
      body = await res.text();
    } catch (e) {
      throw new ApiUnreachable(this.base, reasonOf(e));
    }
    if (res.status >= 400) throw new ApiError(res.status, errorBodyOf(res.status, body));
    return { status: res.status, headers: res.headers, text: body };
  }
}

const WRONG_URL_HINT = 'Check that --url / LIFEBOAT_URL points at the lifeboat API.';

/** The API's {"error":{...}} body, or a stand-in for a body that is not one (a proxy's HTML page). */
function errorBodyOf(status: number, text: string): ApiErrorBody {
  try {
    const parsed = JSON.parse(text) as { error?: Partial<ApiErrorBody> };
    if (parsed.error && typeof parsed.error.code === 'string' && typeof parsed.error.message === 'string') {
      return {
        code: parsed.error.code,
        message: parsed.error.message,
        ...(typeof parsed.error.hint === 'string' ? { hint: parsed.error.hint } : {}),
        ...(parsed.error.details && typeof parsed.error.details === 'object' ? { details: parsed.error.details } : {}),
      };
    }
  } catch {
    // not JSON: fall through
  }
  return {
    code: `HTTP_${status}`,
    message: `the API answered ${status}${text.trim() ? `: ${text.trim().slice(0, 200)}` : ''}`,
    hint: status === 401 || status === 403 ? 'Pass a valid token with --token or LIFEBOAT_TOKEN.' : 'Check that --url / LIFEBOAT_URL points at the lifeboat API.',
  };
}

/** The innermost reason fetch gives: `connect ECONNREFUSED 127.0.0.1:8080` rather than `fetch failed`. */
function reasonOf(e: unknown): string {
  if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')) return 'no answer in time';
  let err: unknown = e;
  while (err instanceof Error && err.cause instanceof Error) err = err.cause;
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return err.message || code || String(err);
  }
  return String(err);
}
