import { describe, expect, it } from 'vitest';
import type { FleetReading } from '../../src/core/fleet';
import { assembleSnapshot, normalizeDnsName, sharesFromWeights } from '../../src/core/snapshot';
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
