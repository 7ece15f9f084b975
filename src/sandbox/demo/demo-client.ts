import { randomUUID } from 'node:crypto';
import type { FleetSnapshot } from '../../core/fleet';
import type { OperationView } from '../../operations/operation-views';
import { DemoFailure } from './demo-failure';

/**
 * The demo talks to lifeboat the way a demand engineer would: over HTTP, with fetch. This is
 * that client, and nothing more: one method per call the demo makes.
 */
interface FleetView {
  snapshot: FleetSnapshot;
  evacuatedRegions: string[];
}

export class LifeboatClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  /** GET /v1/fleet: the fleet as lifeboat reads it now. */
  async fleet(): Promise<FleetView> {
    return (await this.call('GET', '/v1/fleet')) as FleetView;
  }

  /** POST /v1/plans with Accept: text/plain: the plan as tables, changing nothing. */
  async planText(intent: Record<string, unknown>): Promise<string> {
    return (await this.call('POST', '/v1/plans', { body: intent, accept: 'text/plain' })) as string;
  }

  /** POST /v1/operations with an Idempotency-Key, so a retried submission starts nothing twice. */
  async submit(request: Record<string, unknown>, idempotencyKey: string = randomUUID()): Promise<OperationView> {
    const answer = (await this.call('POST', '/v1/operations', { body: request, headers: { 'Idempotency-Key': idempotencyKey } })) as { operation: OperationView };
    return answer.operation;
  }

  /** GET /v1/operations/:id */
  async operation(id: string): Promise<OperationView> {
    return ((await this.call('GET', `/v1/operations/${encodeURIComponent(id)}`)) as { operation: OperationView }).operation;
  }

  private async call(method: string, path: string, options: { body?: unknown; accept?: string; headers?: Record<string, string> } = {}): Promise<unknown> {
    const headers: Record<string, string> = { accept: options.accept ?? 'application/json', authorization: `Bearer ${this.token}`, ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(this.baseUrl + path, {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (e) {
      throw new DemoFailure(`${method} ${path} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    const text = await res.text();
    if (!res.ok) throw failureOf(method, path, res.status, text);
    return res.headers.get('content-type')?.includes('application/json') ? JSON.parse(text) : text;
  }
}

/** The API's {"error":{code,message,hint}} as a DemoFailure, or the raw body when it is not one. */
function failureOf(method: string, path: string, status: number, text: string): DemoFailure {
  try {
    const { error } = JSON.parse(text) as { error?: { code?: string; message?: string; hint?: string } };
    if (error?.code) return new DemoFailure(`${method} ${path} answered ${status} ${error.code}: ${error.message ?? ''}`, error.hint);
  } catch {
    // not JSON: report the body as it is
  }
  return new DemoFailure(`${method} ${path} answered ${status}: ${text.slice(0, 500)}`);
}
