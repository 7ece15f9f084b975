import { readFileSync } from 'node:fs';
import type { ProxyProfile, ProxyProfileInput } from './proxy-profile';
import { parseProfile, ProfileError } from './proxy-profile';

/**
 * The profiles the proxy ships with. REALISTIC is AWS as it is on a normal day; DEMO is the
 * same shape with delays short enough to watch; INSTANT adds nothing (moto as it is) and
 * only counts calls.
 */

export const REALISTIC: ProxyProfileInput = {
  name: 'realistic',
  latency: { fixedMs: 30, jitterMs: 40 },
  throttling: { enabled: true },
  launch: { launchSeconds: 90, warmupSeconds: 30, warmLaunchSeconds: 20 },
  dns: { propagationSeconds: 30 },
};

export const DEMO: ProxyProfileInput = {
  name: 'demo',
  latency: { fixedMs: 5, jitterMs: 10 },
  throttling: { enabled: true },
  launch: { launchSeconds: 3, warmupSeconds: 1, warmLaunchSeconds: 1 },
  dns: { propagationSeconds: 2 },
};

export const INSTANT: ProxyProfileInput = { name: 'instant' };

const NAMED_PROFILES: Readonly<Record<string, ProxyProfileInput>> = { realistic: REALISTIC, demo: DEMO, instant: INSTANT };

/** A profile from an object, a built-in name (realistic, demo, instant) or a JSON file path. */
export function loadProfile(spec: ProxyProfileInput | string | undefined): ProxyProfile {
  if (spec === undefined) return parseProfile(INSTANT);
  if (typeof spec !== 'string') return parseProfile(spec);
  const named = NAMED_PROFILES[spec.toLowerCase()];
  if (named) return parseProfile(named);
  let text: string;
  try {
    text = readFileSync(spec, 'utf8');
  } catch (e) {
    throw new Error(`Proxy profile ${spec} is neither a built-in profile (${Object.keys(NAMED_PROFILES).join(', ')}) nor a readable file: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`Proxy profile ${spec} is not valid JSON: ${(e as Error).message}`);
  }
  try {
    return parseProfile(json);
  } catch (e) {
    if (e instanceof ProfileError) throw new Error(`Proxy profile ${spec}: ${e.message}`);
    throw e;
  }
}
