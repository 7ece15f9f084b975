import type { ServerResponse } from 'node:http';
import { CALL_OUTCOMES, totalCalls } from './call-counters';
import { ProfileError } from './proxy-profile';
import type { ProxyState } from './proxy-state';
import type { FireRequest } from './scheduled-firing';
import { fireScheduledActions } from './scheduled-firing';
import type { Upstream } from './upstream';

/**
 * The proxy's own endpoint, under /__proxy/ (never forwarded to moto):
 *   GET   /__proxy/health            alive, the target and the profile's name
 *   GET   /__proxy/profile           the profile in force, every default filled in
 *   PUT   /__proxy/profile           replace it (400 naming the field when invalid)
 *   PATCH /__proxy/profile           merge into it
 *   GET   /__proxy/counters          calls by service, region, action and outcome, with totals
 *   POST  /__proxy/counters/reset    zero them
 *   GET   /__proxy/state             what the faults are doing now (tokens, instances, changes)
 *   POST  /__proxy/scheduled-actions/fire  fire scheduled actions now ({region, group?, action?}), as AWS would at their time
 */

const ADMIN_PREFIX = '/__proxy/';

export function isAdminPath(url: string): boolean {
  return url === ADMIN_PREFIX.slice(0, -1) || url.startsWith(ADMIN_PREFIX);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value, null, 2);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

function sendError(res: ServerResponse, status: number, code: string, message: string, details?: Record<string, unknown>): void {
  sendJson(res, status, { error: { code, message, ...(details ? { details } : {}) } });
}

function parseJson(body: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: body.trim() === '' ? {} : (JSON.parse(body) as unknown) };
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
}

export function handleAdmin(method: string, url: string, body: string, res: ServerResponse, state: ProxyState, target: string, upstream?: Upstream): void | Promise<void> {
  const path = new URL(url, 'http://proxy.invalid').pathname.replace(/\/+$/, '');
  const route = `${method.toUpperCase()} ${path}`;
  switch (route) {
    case 'GET /__proxy/health':
      return sendJson(res, 200, { status: 'ok', target, profile: state.profile.name });
    case 'GET /__proxy/profile':
      return sendJson(res, 200, state.profile);
    case 'PUT /__proxy/profile':
    case 'PATCH /__proxy/profile': {
      const parsed = parseJson(body);
      if (!parsed.ok) return sendError(res, 400, 'LB_ERR_MALFORMED_JSON', `The body is not valid JSON: ${parsed.message}`);
      if (typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) {
        return sendError(res, 400, 'LB_ERR_VALIDATION', 'A profile is a JSON object.', { field: '(profile)' });
      }
      try {
        return sendJson(res, 200, method.toUpperCase() === 'PUT' ? state.replace(parsed.value) : state.patch(parsed.value));
      } catch (e) {
        if (e instanceof ProfileError) return sendError(res, 400, 'LB_ERR_VALIDATION', e.message, { field: e.field, issues: e.issues });
        throw e;
      }
    }
    case 'GET /__proxy/counters': {
      const counters = state.counters.list();
      const totals = Object.fromEntries(CALL_OUTCOMES.map((o) => [o, totalCalls(counters, { outcome: o })]));
      return sendJson(res, 200, { counters, totals });
    }
    case 'POST /__proxy/counters/reset':
      state.counters.reset();
      return sendJson(res, 200, { counters: [] });
    case 'GET /__proxy/state':
      return sendJson(res, 200, state.snapshot());
    case 'POST /__proxy/scheduled-actions/fire': {
      const parsed = parseJson(body);
      const request = parsed.ok ? (parsed.value as Partial<FireRequest>) : undefined;
      if (!request || typeof request.region !== 'string' || !upstream) return sendError(res, 400, 'LB_ERR_VALIDATION', 'Send {"region": "...", "group"?: "...", "action"?: "..."}.', { field: 'region' });
      return fireScheduledActions(upstream, request as FireRequest).then((outcome) => sendJson(res, 200, outcome));
    }
    default:
      return sendError(res, 404, 'LB_ERR_NOT_FOUND', `No proxy admin route ${route}.`);
  }
}
