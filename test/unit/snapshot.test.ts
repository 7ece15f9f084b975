import { describe, expect, it } from 'vitest';
import type { AutoScalingGroupReading, FleetReading, RecordSetReading } from '../../src/core/fleet';
import { assembleSnapshot, countImpaired, countInService, countPendingWait, normalizeDnsName, sharesFromWeights } from '../../src/core/snapshot';
import { ZONE, fleetReading } from '../support/fleet-fixture';

const base = (): FleetReading =>
  fleetReading([
    {
      name: 'api',
      dns: 'api.example.com',
      capacityPerInstance: 100,
      regions: {
        'us-east-1': { desired: 6, weight: 100, groups: 2, inService: 5 },
        'us-west-2': { desired: 4, weight: 50 },
      },
    },
  ], ['us-east-1', 'us-west-2']);

const codes = (r: FleetReading) => assembleSnapshot(r).warnings.map((w) => w.code);

describe('assembling a fleet snapshot', () => {
  it('adds up capacity over the groups of one service in one region', () => {
    const s = assembleSnapshot(base());
    expect(s.capacity.find((c) => c.region === 'us-east-1')).toMatchObject({
      service: 'api',
      groups: ['api-us-east-1-1', 'api-us-east-1-2'],
      desiredCapacity: 6,
      inService: 5,
      pending: 1,
      capacityPerInstance: 100,
      trafficName: 'api.example.com',
    });
    expect(s.warnings).toEqual([]);
  });

  it('gives each region its weight over the sum of weights as its share', () => {
    const s = assembleSnapshot(base());
    expect(s.traffic).toEqual([
      { name: 'api.example.com', region: 'us-east-1', weight: 100, share: 100 / 150 },
      { name: 'api.example.com', region: 'us-west-2', weight: 50, share: 50 / 150 },
    ]);
  });

  it('counts only InService and Healthy instances as serving', () => {
    const r = base();
    r.groups[0]!.instances[0]!.healthStatus = 'Unhealthy';
    expect(assembleSnapshot(r).capacity[0]!.inService).toBe(4);
  });

  it('shares traffic equally when every weight is 0, as Route 53 does, and says so', () => {
    expect([...sharesFromWeights(new Map([['a', 0], ['b', 0]])).values()]).toEqual([0.5, 0.5]);
    const r = base();
    for (const rec of r.zones[0]!.records) rec.weight = 0;
    expect(codes(r)).toContain('WEIGHTS_ALL_ZERO');
  });

  it('normalizes Route 53 names: lower case, no trailing dot, \\052 as *', () => {
    expect(normalizeDnsName('API.Example.com.')).toBe('api.example.com');
    expect(normalizeDnsName('\\052.example.com.')).toBe('*.example.com');
  });

  it('is plain JSON', () => {
    const s = assembleSnapshot(base());
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });
});

describe('what does not follow the conventions is reported, never dropped silently', () => {
  it('a weighted record whose SetIdentifier is not a managed region', () => {
    const r = base();
    r.zones[0]!.records.push({ ...ZONE, name: 'api.example.com.', type: 'A', setIdentifier: 'canary', weight: 5, ttl: 60, resourceRecords: ['192.0.2.99'] });
    const s = assembleSnapshot(r);
    expect(s.warnings).toMatchObject([{ code: 'RECORD_UNKNOWN_SET_IDENTIFIER', name: 'api.example.com' }]);
    expect(s.traffic.map((t) => t.region)).toEqual(['us-east-1', 'us-west-2']);
  });

  it('a simple (unweighted) record at a name lifeboat steers', () => {
    const r = base();
    r.zones[0]!.records.push({ ...ZONE, name: 'api.example.com.', type: 'AAAA', ttl: 60, resourceRecords: ['2001:db8::1'] });
    expect(codes(r)).toEqual(['RECORD_NOT_WEIGHTED']);
  });

  it('ignores unrelated records such as SOA and NS', () => {
    const r = base();
    r.zones[0]!.records.push({ ...ZONE, name: 'example.com.', type: 'SOA', ttl: 900, resourceRecords: ['ns hostmaster 1 7200 900 1209600 86400'] });
    expect(codes(r)).toEqual([]);
  });

  it('an empty service tag and a capacity-per-instance that is not a number', () => {
    const r = base();
    r.groups[0]!.tags['lifeboat:capacity-per-instance'] = 'fast';
    r.groups.push({ ...structuredClone(r.groups[2]!), name: 'nameless', tags: { 'lifeboat:service': ' ' } });
    const s = assembleSnapshot(r);
    expect(s.warnings.map((w) => [w.code, w.group])).toEqual([
      ['TAG_INVALID', 'api-us-east-1-1'],
      ['TAG_INVALID', 'nameless'],
      ['CAPACITY_PER_INSTANCE_INCONSISTENT', undefined],
    ]);
    expect(s.groups.map((g) => g.name)).not.toContain('nameless');
  });

  it('a traffic tag naming a record no managed zone has', () => {
    const r = base();
    for (const g of r.groups) g.tags['lifeboat:traffic'] = 'nope.example.com';
    expect(codes(r)).toEqual(['TRAFFIC_NAME_UNKNOWN']);
  });

  it('a region that runs the service but has no weighted record for it', () => {
    const r = base();
    r.zones[0]!.records = r.zones[0]!.records.filter((x) => x.setIdentifier !== 'us-west-2');
    expect(codes(r)).toEqual(['RECORD_REGION_MISSING']);
  });

  it('groups of one service that name different traffic records, or none', () => {
    const r = base();
    r.groups[0]!.tags['lifeboat:traffic'] = 'other.example.com';
    delete r.groups[2]!.tags['lifeboat:traffic'];
    expect(codes(r)).toEqual(['TRAFFIC_NAME_INCONSISTENT', 'TRAFFIC_NAME_MISSING']);
  });

  it('A and AAAA records of one name that disagree', () => {
    const r = base();
    r.zones[0]!.records.push({ ...ZONE, name: 'api.example.com.', type: 'AAAA', setIdentifier: 'us-east-1', weight: 1, ttl: 60, resourceRecords: ['2001:db8::1'] });
    r.zones[0]!.records.push({ ...ZONE, name: 'api.example.com.', type: 'AAAA', setIdentifier: 'us-west-2', weight: 1, ttl: 60, resourceRecords: ['2001:db8::2'] });
    expect(codes(r)).toEqual(['RECORD_TYPES_DISAGREE']);
  });

  it('keeps warnings the reader raised, such as a region it could not read', () => {
    const r = base();
    r.warnings = [{ code: 'REGION_UNREADABLE', region: 'us-west-2', message: 'us-west-2: connect ETIMEDOUT' }];
    expect(codes(r)).toContain('REGION_UNREADABLE');
  });
});

/** Instances of a group reading, one per lifecycle state given (Healthy unless said otherwise). */
const instances = (...states: Array<string | { state: string; health?: string; impaired?: boolean }>) =>
  states.map((s, i) => {
    const { state, health = 'Healthy', impaired } = typeof s === 'string' ? { state: s } : s;
    return { instanceId: `i-${i}`, lifecycleState: state, healthStatus: health, ...(impaired !== undefined ? { impaired } : {}) };
  });

/** A group reading of service `service` (tags added to the service tag); sizes default to 1..3, desired 1. */
function group(region: string, name: string, service: string, extra: Partial<AutoScalingGroupReading> & { moreTags?: Record<string, string> } = {}): AutoScalingGroupReading {
  const { moreTags = {}, ...rest } = extra;
  return { region, name, minSize: 1, maxSize: 3, desiredCapacity: 1, tags: { 'lifeboat:service': service, ...moreTags }, instances: instances('InService'), ...rest };
}

/** A weighted A record in the managed zone. */
const weighted = (name: string, region: string, weight: number, more: Partial<RecordSetReading> = {}): RecordSetReading => ({
  ...ZONE,
  name,
  type: 'A',
  setIdentifier: region,
  weight,
  ...more,
});

const readingOf = (groups: AutoScalingGroupReading[], records: RecordSetReading[], regions = ['us-east-1', 'us-west-2']): FleetReading => ({
  takenAt: '2026-11-24T12:00:00.000Z',
  regions,
  groups,
  zones: [{ ...ZONE, records }],
});

describe('DNS names', () => {
  it('are trimmed of the spaces a human typed around a tag', () => {
    expect(normalizeDnsName('  Api.Example.com. ')).toBe('api.example.com');
  });

  it('lose only a trailing dot, never one inside the name', () => {
    expect(normalizeDnsName('api.example.com')).toBe('api.example.com');
  });

  it('read any three-digit octal escape as its character: \\101 is "A", lower-cased', () => {
    // 0o101 = 65 = "A"; 0o055 = 45 = "-".
    expect(normalizeDnsName('\\101pi\\055x.example.com.')).toBe('api-x.example.com');
  });
});

describe('counting instances', () => {
  const mix = instances(
    'InService',
    { state: 'InService', health: 'Unhealthy' },
    { state: 'InService', impaired: true },
    { state: 'InService', impaired: false },
    'Pending',
    'Pending:Wait',
    { state: 'Pending:Wait', impaired: true },
    'Terminating',
  );

  it('counts as serving only InService, Healthy and not impaired instances', () => {
    // i-0 and i-3: InService, Healthy, not impaired.
    expect(countInService(mix)).toBe(2);
  });

  it('counts as impaired only InService instances whose status checks fail', () => {
    // i-2 only: i-6 is impaired but still Pending:Wait.
    expect(countImpaired(mix)).toBe(1);
  });

  it('counts as held by a lifecycle hook only Pending:Wait instances, not plain Pending', () => {
    // i-5 and i-6.
    expect(countPendingWait(mix)).toBe(2);
  });
});

describe('interpreting a group through its tags', () => {
  const groupIn = (g: AutoScalingGroupReading) => assembleSnapshot(readingOf([g], [])).groups[0];
  const warningsOf = (g: AutoScalingGroupReading) => assembleSnapshot(readingOf([g], [])).warnings;

  it('reads a fractional capacity per instance', () => {
    expect(groupIn(group('us-east-1', 'a', 'api', { moreTags: { 'lifeboat:capacity-per-instance': '2.5' } }))?.capacityPerInstance).toBe(2.5);
  });

  it('refuses a capacity per instance of 0, negative, infinite or blank, with a TAG_INVALID warning naming the group and service', () => {
    const bad = ['0', '-5', 'Infinity', ' '];
    expect(bad.length).toBeGreaterThan(0);
    for (const value of bad) {
      const g = group('us-east-1', 'a', 'api', { moreTags: { 'lifeboat:capacity-per-instance': value } });
      expect(groupIn(g), value).not.toHaveProperty('capacityPerInstance');
      const tagWarnings = warningsOf(g).filter((w) => w.code === 'TAG_INVALID');
      expect(tagWarnings, value).toMatchObject([{ region: 'us-east-1', group: 'a', service: 'api' }]);
      expect(tagWarnings[0]!.message, value).toContain(`"${value}"`);
    }
  });

  it('manages no group whose service tag is blank, and names the group and region in the warning', () => {
    const s = assembleSnapshot(readingOf([group('us-east-1', 'a', '  ')], []));
    expect(s.groups).toEqual([]);
    expect(s.warnings).toMatchObject([{ code: 'TAG_INVALID', region: 'us-east-1', group: 'a' }]);
    expect(s.warnings[0]!.message).toContain('a in us-east-1');
  });

  it('manages no group that has no service tag at all', () => {
    const g = group('us-east-1', 'a', 'api');
    delete g.tags['lifeboat:service'];
    const s = assembleSnapshot(readingOf([g], []));
    expect(s.groups).toEqual([]);
    expect(s.warnings.map((w) => [w.code, w.group])).toEqual([['TAG_INVALID', 'a']]);
  });

  it('takes the service name trimmed', () => {
    expect(groupIn(group('us-east-1', 'a', ' api '))?.service).toBe('api');
  });

  it('takes the traffic name normalized, and no traffic name from a blank tag', () => {
    expect(groupIn(group('us-east-1', 'a', 'api', { moreTags: { 'lifeboat:traffic': 'API.Example.com.' } }))?.trafficName).toBe('api.example.com');
    const blank = group('us-east-1', 'a', 'api', { moreTags: { 'lifeboat:traffic': '  ' } });
    expect(groupIn(blank)).not.toHaveProperty('trafficName');
    expect(warningsOf(blank).map((w) => w.code)).toEqual(['SERVICE_WITHOUT_TRAFFIC']);
  });

  it('counts every Pending state as pending, Pending:Wait included, and nothing else', () => {
    const g = groupIn(group('us-east-1', 'a', 'api', { desiredCapacity: 5, instances: instances('Pending', 'Pending:Wait', 'InService', 'Terminating', 'Standby') }));
    expect([g?.pending, g?.inService]).toEqual([2, 1]);
  });

  it('records impaired instances only when there are some', () => {
    expect(groupIn(group('us-east-1', 'a', 'api', { instances: instances('InService', { state: 'InService', impaired: true }) }))?.impaired).toBe(1);
    expect(groupIn(group('us-east-1', 'a', 'api'))).not.toHaveProperty('impaired');
  });

  it('keeps the group’s sizes, tags, instances and the details an adapter read', () => {
    const reading = group('us-east-1', 'a', 'api', {
      minSize: 2,
      maxSize: 9,
      desiredCapacity: 4,
      account: '111111111111',
      suspendedProcesses: ['Launch'],
      launchHooks: ['warm-up'],
      instances: instances('InService', 'InService', 'InService', 'InService'),
    });
    expect(groupIn(reading)).toStrictEqual({
      region: 'us-east-1',
      name: 'a',
      service: 'api',
      account: '111111111111',
      suspendedProcesses: ['Launch'],
      launchHooks: ['warm-up'],
      minSize: 2,
      maxSize: 9,
      desiredCapacity: 4,
      inService: 4,
      pending: 0,
      instances: reading.instances,
      tags: { 'lifeboat:service': 'api' },
    });
  });

  it('lists groups in the order of the managed regions, then by name, regions it does not manage last', () => {
    const s = assembleSnapshot(
      readingOf(
        [group('eu-west-1', 'a', 'api'), group('us-east-1', 'b', 'api'), group('us-west-2', 'z', 'api'), group('us-east-1', 'a', 'api'), group('us-west-2', 'c', 'api')],
        [],
        ['us-west-2', 'us-east-1'],
      ),
    );
    expect(s.groups.map((g) => `${g.region}/${g.name}`)).toEqual(['us-west-2/c', 'us-west-2/z', 'us-east-1/a', 'us-east-1/b', 'eu-west-1/a']);
  });
});

describe('weighted records', () => {
  const api = (region: string) => group(region, `api-${region}`, 'api', { moreTags: { 'lifeboat:traffic': 'api.example.com' } });

  it('carry their account, TTL, values, alias target and health check when they have them, and no empty fields when not', () => {
    const alias = { hostedZoneId: 'ZALB', dnsName: 'alb.example.com', evaluateTargetHealth: true };
    const s = assembleSnapshot(
      readingOf(
        [api('us-east-1'), api('us-west-2')],
        [
          weighted('API.example.com.', 'us-east-1', 10, { account: '111111111111', ttl: 60, resourceRecords: ['192.0.2.1'], healthCheckId: 'hc-1' }),
          weighted('api.example.com.', 'us-west-2', 20, { aliasTarget: alias }),
        ],
      ),
    );
    expect(s.records).toStrictEqual([
      { account: '111111111111', ...ZONE, name: 'api.example.com', type: 'A', region: 'us-east-1', setIdentifier: 'us-east-1', weight: 10, ttl: 60, resourceRecords: ['192.0.2.1'], healthCheckId: 'hc-1' },
      { ...ZONE, name: 'api.example.com', type: 'A', region: 'us-west-2', setIdentifier: 'us-west-2', weight: 20, aliasTarget: alias },
    ]);
  });

  it('are listed by name, then A, AAAA, CNAME before other types, then by the order of the managed regions', () => {
    const regions = ['us-west-2', 'us-east-1'];
    const recs = [
      weighted('b.example.com.', 'us-east-1', 1),
      weighted('a.example.com.', 'us-east-1', 1, { type: 'TXT' }),
      weighted('a.example.com.', 'us-east-1', 1, { type: 'MX' }),
      weighted('a.example.com.', 'us-east-1', 1, { type: 'CNAME' }),
      weighted('a.example.com.', 'us-east-1', 1, { type: 'AAAA' }),
      weighted('a.example.com.', 'us-east-1', 1),
      weighted('a.example.com.', 'us-west-2', 1),
    ];
    const s = assembleSnapshot(readingOf([], recs, regions));
    // Types: A, AAAA, CNAME in that order, then the others alphabetically (MX before TXT);
    // within a type, us-west-2 first as the managed regions list it.
    expect(s.records.map((r) => `${r.name} ${r.type} ${r.region}`)).toEqual([
      'a.example.com A us-west-2',
      'a.example.com A us-east-1',
      'a.example.com AAAA us-east-1',
      'a.example.com CNAME us-east-1',
      'a.example.com MX us-east-1',
      'a.example.com TXT us-east-1',
      'b.example.com A us-east-1',
    ]);
  });

  it('a weighted record with an unmanaged set identifier is reported even at a name nothing refers to, with its weight', () => {
    const s = assembleSnapshot(readingOf([], [weighted('other.example.com.', 'blue', 7)]));
    expect(s.records).toEqual([]);
    expect(s.warnings).toMatchObject([{ code: 'RECORD_UNKNOWN_SET_IDENTIFIER', zoneId: ZONE.zoneId, name: 'other.example.com' }]);
    expect(s.warnings[0]!.message).toContain('"blue"');
    expect(s.warnings[0]!.message).toContain('(7)');
  });

  it('an unweighted record at a name with managed weights is reported even when no group names it, with its set identifier', () => {
    const s = assembleSnapshot(
      readingOf([], [weighted('web.example.com.', 'us-east-1', 0), { ...ZONE, name: 'web.example.com.', type: 'A', setIdentifier: 'us-west-2' }]),
    );
    expect(s.warnings.filter((w) => w.code === 'RECORD_NOT_WEIGHTED')).toMatchObject([{ zoneId: ZONE.zoneId, name: 'web.example.com' }]);
    expect(s.warnings.find((w) => w.code === 'RECORD_NOT_WEIGHTED')!.message).toContain('(set us-west-2)');
  });

  it('a record with a weight but no set identifier is not weighted', () => {
    const s = assembleSnapshot(readingOf([api('us-east-1')], [{ ...ZONE, name: 'api.example.com.', type: 'A', weight: 5 }], ['us-east-1']));
    expect(s.records).toEqual([]);
    expect(s.warnings.map((w) => w.code)).toEqual(['RECORD_NOT_WEIGHTED', 'TRAFFIC_NAME_UNKNOWN']);
    expect(s.warnings[0]!.message).not.toContain('(set');
  });

  it('an unweighted record whose set identifier is a managed region, at a name nothing steers, is not lifeboat’s to report', () => {
    // A latency record, say: a set identifier but no weight.
    const s = assembleSnapshot(readingOf([], [{ ...ZONE, name: 'latency.example.com.', type: 'A', setIdentifier: 'us-east-1' }]));
    expect(s.warnings).toEqual([]);
    expect(s.records).toEqual([]);
  });

  it('an unweighted record at a name that has only weights of unmanaged set identifiers is not lifeboat’s to report', () => {
    const s = assembleSnapshot(readingOf([], [weighted('x.example.com.', 'blue', 1), { ...ZONE, name: 'x.example.com.', type: 'TXT' }]));
    expect(s.warnings.map((w) => w.code)).toEqual(['RECORD_UNKNOWN_SET_IDENTIFIER']);
  });
});

describe('traffic shares', () => {
  it('are each weight over the sum of weights', () => {
    // 1 / (1 + 3) = 0.25; 3 / 4 = 0.75.
    expect(sharesFromWeights(new Map([['a', 1], ['b', 3]]))).toEqual(new Map([['a', 0.25], ['b', 0.75]]));
  });

  it('split equally over every record when all weights are 0', () => {
    expect(sharesFromWeights(new Map([['a', 0], ['b', 0], ['c', 0]]))).toEqual(new Map([['a', 1 / 3], ['b', 1 / 3], ['c', 1 / 3]]));
  });

  it('are listed in the order of the managed regions, and only for regions with a record', () => {
    const s = assembleSnapshot(
      readingOf([], [weighted('a.example.com.', 'us-east-1', 1), weighted('a.example.com.', 'eu-west-1', 3)], ['eu-west-1', 'us-west-2', 'us-east-1']),
    );
    expect(s.traffic).toEqual([
      { name: 'a.example.com', region: 'eu-west-1', weight: 3, share: 0.75 },
      { name: 'a.example.com', region: 'us-east-1', weight: 1, share: 0.25 },
    ]);
  });

  it('do not warn that every weight is 0 while one weight is not', () => {
    const s = assembleSnapshot(readingOf([], [weighted('a.example.com.', 'us-east-1', 0), weighted('a.example.com.', 'us-west-2', 1)]));
    expect(s.warnings).toEqual([]);
  });

  it('follow the A records, and say so when the AAAA records have other weights or other regions', () => {
    const a = [weighted('a.example.com.', 'us-east-1', 1), weighted('a.example.com.', 'us-west-2', 3)];
    const aaaa = (weights: Array<[string, number]>) => weights.map(([region, w]) => weighted('a.example.com.', region, w, { type: 'AAAA' }));
    const disagree = (records: RecordSetReading[]) => assembleSnapshot(readingOf([], records)).warnings.filter((w) => w.code === 'RECORD_TYPES_DISAGREE');
    expect(disagree([...aaaa([['us-east-1', 1], ['us-west-2', 3]]), ...a])).toEqual([]);
    expect(disagree([...a, ...aaaa([['us-east-1', 1], ['us-west-2', 2]])])).toMatchObject([{ name: 'a.example.com' }]);
    expect(disagree([...a, ...aaaa([['us-east-1', 1]])])).toHaveLength(1);
    // The AAAA records listed first still do not lead: A does (weights 1 and 3 → 0.25, 0.75).
    const s = assembleSnapshot(readingOf([], [...aaaa([['us-east-1', 3], ['us-west-2', 1]]), ...a]));
    expect(s.traffic.map((t) => t.share)).toEqual([0.25, 0.75]);
    expect(s.warnings[0]!.message).toContain('AAAA records disagree with the A records');
  });
});

describe('capacity per service and region', () => {
  const cpi = (value: string) => ({ 'lifeboat:capacity-per-instance': value });

  it('adds up sizes and instances over the service’s groups in the region', () => {
    const s = assembleSnapshot(
      readingOf(
        [
          group('us-east-1', 'a', 'api', { minSize: 1, maxSize: 4, desiredCapacity: 2, instances: instances('InService', 'Pending') }),
          group('us-east-1', 'b', 'api', { minSize: 2, maxSize: 6, desiredCapacity: 3, instances: instances('InService', 'InService', 'Pending') }),
        ],
        [],
      ),
    );
    expect(s.capacity).toStrictEqual([
      { service: 'api', region: 'us-east-1', groups: ['a', 'b'], minSize: 3, maxSize: 10, desiredCapacity: 5, inService: 3, pending: 2 },
    ]);
  });

  it('averages a capacity per instance the groups disagree on, weighted by desired capacity, and says so', () => {
    const s = assembleSnapshot(
      readingOf(
        [
          group('us-east-1', 'a', 'api', { desiredCapacity: 2, moreTags: cpi('100') }),
          group('us-east-1', 'b', 'api', { desiredCapacity: 6, moreTags: cpi('200') }),
        ],
        [],
      ),
    );
    // (100 × 2 + 200 × 6) / (2 + 6) = 1400 / 8 = 175.
    expect(s.capacity[0]!.capacityPerInstance).toBe(175);
    const w = s.warnings.find((x) => x.code === 'CAPACITY_PER_INSTANCE_INCONSISTENT');
    expect(w).toMatchObject({ service: 'api', region: 'us-east-1' });
    expect(w!.message).toContain('a=100, b=200');
    expect(w!.message).toContain('175.00');
  });

  it('counts a group of desired capacity 0 as one instance in that average', () => {
    const s = assembleSnapshot(
      readingOf(
        [
          group('us-east-1', 'a', 'api', { desiredCapacity: 0, instances: [], moreTags: cpi('100') }),
          group('us-east-1', 'b', 'api', { desiredCapacity: 1, moreTags: cpi('400') }),
        ],
        [],
      ),
    );
    // (100 × max(0, 1) + 400 × 1) / (1 + 1) = 500 / 2 = 250.
    expect(s.capacity[0]!.capacityPerInstance).toBe(250);
  });

  it('takes the capacity per instance of the groups that state it when another does not, and names the one unset', () => {
    const s = assembleSnapshot(
      readingOf([group('us-east-1', 'a', 'api', { desiredCapacity: 2, moreTags: cpi('100') }), group('us-east-1', 'b', 'api', { desiredCapacity: 5 })], []),
    );
    // Only a states it: 100 × 2 / 2 = 100.
    expect(s.capacity[0]!.capacityPerInstance).toBe(100);
    const w = s.warnings.find((x) => x.code === 'CAPACITY_PER_INSTANCE_INCONSISTENT');
    expect(w!.message).toContain('b=unset');
  });

  it('has no capacity per instance when no group states one, and no warning about it', () => {
    const s = assembleSnapshot(readingOf([group('us-east-1', 'a', 'api'), group('us-east-1', 'b', 'api')], []));
    expect(s.capacity[0]).not.toHaveProperty('capacityPerInstance');
    expect(s.warnings.map((w) => w.code)).toEqual(['SERVICE_WITHOUT_TRAFFIC']);
  });

  it('adds up impaired instances, and records none when there are none', () => {
    const s = assembleSnapshot(
      readingOf(
        [
          group('us-east-1', 'a', 'api', { instances: instances({ state: 'InService', impaired: true }) }),
          group('us-east-1', 'b', 'api', { instances: instances({ state: 'InService', impaired: true }, { state: 'InService', impaired: true }) }),
          group('us-west-2', 'c', 'api'),
        ],
        [],
      ),
    );
    expect(s.capacity.map((c) => c.impaired)).toEqual([3, undefined]);
    expect(s.capacity[1]).not.toHaveProperty('impaired');
  });

  it('counts instances held in Pending:Wait with the hooks of the groups that hold them, sorted and once each', () => {
    const s = assembleSnapshot(
      readingOf(
        [
          group('us-east-1', 'a', 'api', { instances: instances('Pending:Wait', 'Pending:Wait'), launchHooks: ['warm', 'check'] }),
          group('us-east-1', 'b', 'api', { instances: instances('Pending:Wait'), launchHooks: ['check'] }),
          group('us-east-1', 'c', 'api', { instances: instances('InService'), launchHooks: ['idle-hook'] }),
          group('us-west-2', 'd', 'api', { launchHooks: ['idle-hook'] }),
        ],
        [],
      ),
    );
    expect(s.capacity[0]).toMatchObject({ pendingWait: 3, launchHooks: ['check', 'warm'] });
    expect(s.capacity[1]).not.toHaveProperty('pendingWait');
    expect(s.capacity[1]).not.toHaveProperty('launchHooks');
  });

  it('counts a held instance of a group whose hooks were not read, with no hook to name', () => {
    const s = assembleSnapshot(readingOf([group('us-east-1', 'a', 'api', { instances: instances('Pending:Wait') })], []));
    expect(s.capacity[0]).toMatchObject({ pendingWait: 1, launchHooks: [] });
  });

  it('lists capacity in the order of the managed regions, then by service', () => {
    const s = assembleSnapshot(
      readingOf([group('us-east-1', 'a', 'web'), group('us-west-2', 'b', 'web'), group('us-east-1', 'c', 'api'), group('us-west-2', 'd', 'api')], [], ['us-west-2', 'us-east-1']),
    );
    expect(s.capacity.map((c) => `${c.region} ${c.service}`)).toEqual(['us-west-2 api', 'us-west-2 web', 'us-east-1 api', 'us-east-1 web']);
  });
});

describe('traffic names per service', () => {
  const tagged = (region: string, name: string, service: string, traffic?: string) =>
    group(region, name, service, traffic ? { moreTags: { 'lifeboat:traffic': traffic } } : {});

  it('uses the first name in alphabetical order when groups name several, and says which', () => {
    const s = assembleSnapshot(
      readingOf([tagged('us-east-1', 'a', 'api', 'z.example.com'), tagged('us-east-1', 'b', 'api', 'b.example.com')], [weighted('b.example.com.', 'us-east-1', 1)]),
    );
    expect(s.capacity.map((c) => c.trafficName)).toEqual(['b.example.com']);
    expect(s.warnings).toMatchObject([{ code: 'TRAFFIC_NAME_INCONSISTENT', service: 'api' }]);
    expect(s.warnings[0]!.message).toContain('using b.example.com');
  });

  it('names the service, region and group of a group without the traffic tag', () => {
    const s = assembleSnapshot(
      readingOf([tagged('us-east-1', 'a', 'api', 'api.example.com'), tagged('us-west-2', 'b', 'api')], [weighted('api.example.com.', 'us-east-1', 1), weighted('api.example.com.', 'us-west-2', 1)]),
    );
    expect(s.warnings).toMatchObject([{ code: 'TRAFFIC_NAME_MISSING', service: 'api', region: 'us-west-2', group: 'b' }]);
  });

  it('warns of a region missing from the records only where the service runs, naming service, region and name', () => {
    const s = assembleSnapshot(
      readingOf([tagged('us-east-1', 'a', 'api', 'api.example.com'), tagged('us-west-2', 'b', 'api', 'api.example.com')], [weighted('api.example.com.', 'us-east-1', 1)], ['us-east-1', 'us-west-2', 'eu-west-1']),
    );
    expect(s.warnings).toMatchObject([{ code: 'RECORD_REGION_MISSING', service: 'api', region: 'us-west-2', name: 'api.example.com' }]);
    expect(s.warnings).toHaveLength(1);
  });

  it('does not look for regions without a record once the name has none at all', () => {
    const s = assembleSnapshot(readingOf([tagged('us-east-1', 'a', 'api', 'api.example.com')], []));
    expect(s.warnings).toMatchObject([{ code: 'TRAFFIC_NAME_UNKNOWN', service: 'api', name: 'api.example.com' }]);
    expect(s.warnings).toHaveLength(1);
  });

  it('checks service after service in alphabetical order', () => {
    const s = assembleSnapshot(readingOf([group('us-east-1', 'w', 'web'), group('us-east-1', 'a', 'api'), group('us-west-2', 'b', 'batch')], [], ['us-west-2', 'us-east-1']));
    expect(s.warnings.map((w) => [w.code, w.service])).toEqual([
      ['SERVICE_WITHOUT_TRAFFIC', 'api'],
      ['SERVICE_WITHOUT_TRAFFIC', 'batch'],
      ['SERVICE_WITHOUT_TRAFFIC', 'web'],
    ]);
  });
});

describe('the snapshot as a whole', () => {
  it('keeps the reading’s time and its regions, and has no load when the reading has none', () => {
    const r = readingOf([], [], ['us-west-2', 'us-east-1']);
    const s = assembleSnapshot(r);
    expect(s.takenAt).toBe('2026-11-24T12:00:00.000Z');
    expect(s.regions).toEqual(['us-west-2', 'us-east-1']);
    expect(s).not.toHaveProperty('load');
  });

  it('puts the reader’s warnings first, before its own', () => {
    const r = readingOf([group('us-east-1', 'a', 'api')], []);
    r.warnings = [{ code: 'REGION_UNREADABLE', region: 'us-west-2', message: 'us-west-2: connect ETIMEDOUT' }];
    expect(assembleSnapshot(r).warnings.map((w) => w.code)).toEqual(['REGION_UNREADABLE', 'SERVICE_WITHOUT_TRAFFIC']);
  });
});
