import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO, INSTANT, loadProfile, REALISTIC } from '../../src/sandbox/proxy/named-profiles';
import { DEFAULT_QUOTAS, mergeProfile, parseProfile, ProfileError } from '../../src/sandbox/proxy/proxy-profile';
import { ProxyState } from '../../src/sandbox/proxy/proxy-state';

const fieldOf = (input: unknown) => {
  try {
    parseProfile(input);
    return undefined;
  } catch (e) {
    return e instanceof ProfileError ? e.field : String(e);
  }
};

describe('proxy profiles', () => {
  it('fills every default: an empty profile adds nothing, a throttling section switches AWS’s quotas on', () => {
    const empty = parseProfile({});
    expect(empty).toMatchObject({ timeScale: 1, throttling: { enabled: false }, launch: { launchSeconds: 0, warmupSeconds: 0 }, dns: { propagationSeconds: 0 }, capacityLimits: [], unreachable: [] });
    const throttled = parseProfile({ throttling: { quotas: { autoscaling: { burst: 3 } } } });
    expect(throttled.throttling).toEqual({ enabled: true, quotas: { ...DEFAULT_QUOTAS, autoscaling: { ...DEFAULT_QUOTAS.autoscaling, burst: 3 } } });
    expect(parseProfile(throttled)).toEqual(throttled);
  });

  it('names the offending field of a bad profile, unknown fields included', () => {
    expect(fieldOf({ throttling: { quotas: { route53: { refillPerSecond: -1 } } } })).toBe('throttling.quotas.route53.refillPerSecond');
    expect(fieldOf({ launch: { launchSecs: 3 } })).toBe('launch.launchSecs');
    expect(fieldOf({ serverErrors: { bursts: [{ count: 2, status: 404 }] } })).toBe('serverErrors.bursts.0.status');
    expect(fieldOf({ unreachable: [{ region: 'us-east-1', mode: 'sulk' }] })).toBe('unreachable.0.mode');
    expect(fieldOf({ timeScale: 0 })).toBe('timeScale');
  });

  it('merges a patch into a profile: objects key by key, arrays replaced', () => {
    const base = parseProfile({ latency: { fixedMs: 5, jitterMs: 5 }, capacityLimits: [{ region: 'us-east-1', maxNewInstances: 1 }] });
    const merged = mergeProfile(base, { latency: { jitterMs: 50 }, capacityLimits: [] });
    expect(merged.latency).toMatchObject({ fixedMs: 5, jitterMs: 50 });
    expect(merged.capacityLimits).toEqual([]);
  });

  it('refuses a patch with a __proto__ key, naming where it is, instead of letting the merge set a prototype', () => {
    const state = new ProxyState({ latency: { fixedMs: 5 } }, { now: () => 0 });
    const before = state.profile;
    for (const [body, field] of [
      ['{"latency":{"__proto__":{"fixedMs":7}}}', 'latency.__proto__'],
      ['{"__proto__":{"polluted":1}}', '__proto__'],
    ] as const) {
      const patch = JSON.parse(body) as unknown;
      expect(() => state.patch(patch)).toThrow(expect.objectContaining({ name: 'ProfileError', field, reason: 'a key named __proto__ is not allowed' }));
    }
    expect(state.profile).toBe(before);
    expect(Object.getPrototypeOf(state.profile)).toBe(Object.prototype);
  });

  it('ships REALISTIC, DEMO and INSTANT, and loads a profile from a JSON file or by name', () => {
    expect(loadProfile(REALISTIC)).toMatchObject({ launch: { launchSeconds: 90 }, dns: { propagationSeconds: 30 }, throttling: { enabled: true, quotas: DEFAULT_QUOTAS } });
    expect(loadProfile(DEMO).throttling.enabled).toBe(true);
    expect(loadProfile(INSTANT)).toEqual(parseProfile({ name: 'instant' }));
    expect(loadProfile('demo').name).toBe('demo');
    const file = join(mkdtempSync(join(tmpdir(), 'proxy-profile-')), 'slow.json');
    writeFileSync(file, JSON.stringify({ name: 'slow', timeScale: 0.5, dns: { propagationSeconds: 60 } }));
    expect(loadProfile(file)).toMatchObject({ name: 'slow', timeScale: 0.5, dns: { propagationSeconds: 60 } });
    writeFileSync(file, JSON.stringify({ dns: { propagationSecs: 60 } }));
    expect(() => loadProfile(file)).toThrow(/dns\.propagationSecs: unknown field/);
  });

  it('scales launch, warm-up and propagation by the time scale, and arms only the sections a patch names', () => {
    const state = new ProxyState({ timeScale: 1 / 30, launch: { launchSeconds: 90, warmupSeconds: 30 }, dns: { propagationSeconds: 30 }, serverErrors: { bursts: [{ count: 2 }] } }, { now: () => 0 });
    expect([state.readyAfterMs(), state.propagationMs()]).toEqual([4000, 1000]);
    state.serverErrors.take({ service: 'ec2', region: 'us-west-2', action: 'DescribeInstances' });
    state.patch({ latency: { fixedMs: 1 } });
    expect(state.serverErrors.remainingBursts()).toEqual([1]);
    state.patch({ serverErrors: {} });
    expect(state.serverErrors.remainingBursts()).toEqual([2]);
    expect(() => state.patch({ timeScale: -1 })).toThrow(ProfileError);
    expect(state.profile.timeScale).toBeCloseTo(1 / 30);
  });
});
