import { describe, expect, it } from 'vitest';
import { markImpaired, withoutOfferings } from '../../src/sandbox/proxy/ec2-handlers';

const status = (id: string, idFirst: boolean) => {
  const state = '<instanceState><code>16</code><name>running</name></instanceState>';
  const checks = '<instanceStatus><details><item><name>reachability</name><status>passed</status></item></details><status>ok</status></instanceStatus><systemStatus><details><item><name>reachability</name><status>passed</status></item></details><status>ok</status></systemStatus>';
  const zone = '<availabilityZone>us-east-1a</availabilityZone>';
  return `<item>${idFirst ? `<instanceId>${id}</instanceId>${zone}` : `${zone}<instanceId>${id}</instanceId>`}${state}${checks}</item>`;
};
const answer = (...items: string[]) => `<DescribeInstanceStatusResponse><instanceStatusSet>${items.join('')}</instanceStatusSet></DescribeInstanceStatusResponse>`;

describe('the proxy’s EC2 rewriting', () => {
  it('fails the instance status check of the impaired instances only, whatever the order of the item’s fields (AWS’s or moto’s)', () => {
    for (const idFirst of [true, false]) {
      const out = markImpaired(answer(status('i-1', idFirst), status('i-2', idFirst), status('i-3', idFirst)), new Set(['i-2']));
      const statuses = [...out.matchAll(/<instanceStatus>[\s\S]*?<status>(\w+)<\/status><\/instanceStatus>/g)].map((m) => m[1]);
      expect(statuses, `instanceId first: ${idFirst}`).toEqual(['ok', 'impaired', 'ok']);
      expect([...out.matchAll(/<systemStatus>[\s\S]*?<status>(\w+)<\/status><\/systemStatus>/g)].map((m) => m[1])).toEqual(['ok', 'ok', 'ok']);
    }
  });

  it('leaves out the offerings of a type a zone (or the whole region) does not offer', () => {
    const offering = (type: string, zone: string) => `<item><instanceType>${type}</instanceType><locationType>availability-zone</locationType><location>${zone}</location></item>`;
    const xml = `<instanceTypeOfferingSet>${offering('t3.micro', 'us-east-1a')}${offering('t3.micro', 'us-east-1b')}${offering('m5.large', 'us-east-1a')}</instanceTypeOfferingSet>`;
    expect(withoutOfferings(xml, [{ instanceType: 't3.micro', availabilityZone: 'us-east-1b' }])).toBe(`<instanceTypeOfferingSet>${offering('t3.micro', 'us-east-1a')}${offering('m5.large', 'us-east-1a')}</instanceTypeOfferingSet>`);
    expect(withoutOfferings(xml, [{ instanceType: 't3.micro' }])).toBe(`<instanceTypeOfferingSet>${offering('m5.large', 'us-east-1a')}</instanceTypeOfferingSet>`);
  });
});
