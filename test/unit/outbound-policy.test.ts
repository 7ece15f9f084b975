import { describe, expect, it } from 'vitest';
import { judgeAddress, outboundHostsProblem, parseOutboundHosts } from '../../src/operations/outbound/outbound-policy';
import { loadSettings } from '../../src/operations/settings';

/** What a request to `url` would be judged, connecting to `address` (the URL's own host when it is an address). */
function judge(hosts: string | undefined, url: string, address?: string) {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  return judgeAddress(parseOutboundHosts(hosts), host, address ?? host, port);
}

describe('the outbound allow-list (LIFEBOAT_OUTBOUND_HOSTS)', () => {
  it('refuses loopback, link-local, private and metadata addresses by default, however the URL spells them', () => {
    const spellings = [
      'http://127.0.0.1:8080/',
      'http://0x7f000001:8080/',
      'http://2130706433:8080/',
      'http://017700000001/',
      'http://127.1/',
      'http://0/',
      'http://[::1]:8080/',
      'http://[::ffff:127.0.0.1]:8080/',
      'http://[0:0:0:0:0:ffff:7f00:1]/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/',
      'http://10.1.2.3/',
      'http://172.16.0.1/',
      'http://192.168.1.1/',
      'http://100.64.0.1/',
      'http://[fe80::1]/',
      'http://[::ffff:10.0.0.1]/',
    ];
    for (const url of spellings) expect(judge(undefined, url), url).toMatchObject({ allowed: false });
    expect(judge(undefined, 'http://0x7f000001:8080/')).toMatchObject({ reason: expect.stringContaining('a loopback address (127.0.0.0/8)') });
  });

  it('refuses a host name that resolves to a special address, even when the name is listed', () => {
    expect(judge(undefined, 'https://hooks.example.com/x', '127.0.0.1')).toMatchObject({ allowed: false, reason: expect.stringContaining('hooks.example.com (127.0.0.1) is a loopback address') });
    expect(judge('hooks.example.com', 'https://hooks.example.com/x', '10.0.0.5')).toMatchObject({ allowed: false });
    expect(judge('localhost', 'http://localhost:9000/', '127.0.0.1')).toMatchObject({ allowed: false });
  });

  it('reaches a special address only when an address or range entry covers it (and its port, when one is given)', () => {
    expect(judge('127.0.0.1', 'http://127.0.0.1:9000/')).toEqual({ allowed: true });
    expect(judge('127.0.0.1', 'http://0x7f000001:9000/')).toEqual({ allowed: true });
    expect(judge('10.0.0.0/8', 'http://verify.internal/', '10.1.2.3')).toEqual({ allowed: true });
    expect(judge('127.0.0.1:9000', 'http://127.0.0.1:9001/')).toMatchObject({ allowed: false });
    expect(judge('[::1]:9000', 'http://[::1]:9000/')).toEqual({ allowed: true });
    expect(judge('fd00::/8', 'http://[fd00:ec2::254]/')).toEqual({ allowed: true });
    // Listing loopback does not open the metadata service.
    expect(judge('127.0.0.1', 'http://169.254.169.254/')).toMatchObject({ allowed: false });
  });

  it('allows any public host by default, and only the listed ones once a list is set', () => {
    expect(judge(undefined, 'https://hooks.slack.com/services/x', '34.0.0.1')).toEqual({ allowed: true });
    const list = 'hooks.slack.com, *.pagerduty.com, 198.51.99.7:8443';
    expect(judge(list, 'https://hooks.slack.com/services/x', '34.0.0.1')).toEqual({ allowed: true });
    expect(judge(list, 'https://HOOKS.Slack.com./services/x', '34.0.0.1')).toEqual({ allowed: true });
    expect(judge(list, 'https://events.pagerduty.com/', '34.0.0.2')).toEqual({ allowed: true });
    expect(judge(list, 'https://pagerduty.com/', '34.0.0.2')).toMatchObject({ allowed: false });
    expect(judge(list, 'https://evil.example.com/', '34.0.0.3')).toMatchObject({ allowed: false, reason: expect.stringContaining('is not in LIFEBOAT_OUTBOUND_HOSTS') });
    expect(judge(list, 'https://198.51.99.7:8443/')).toEqual({ allowed: true });
    expect(judge(list, 'https://198.51.99.7/')).toMatchObject({ allowed: false });
  });

  it('refuses a list with an entry it cannot read, naming the entry, when the settings load', () => {
    expect(outboundHostsProblem('hooks.slack.com, 10.0.0.0/40')).toContain('10.0.0.0/40');
    expect(outboundHostsProblem('exa mple.com')).toContain('not a host name');
    expect(outboundHostsProblem('host:99999')).toContain('port');
    expect(() => loadSettings({ LIFEBOAT_OUTBOUND_HOSTS: 'ok.example.com, bad host' })).toThrow(/LIFEBOAT_OUTBOUND_HOSTS: bad host/);
    expect(loadSettings({ LIFEBOAT_OUTBOUND_HOSTS: 'hooks.slack.com, 10.0.0.0/8' }).LIFEBOAT_OUTBOUND_HOSTS).toBe('hooks.slack.com, 10.0.0.0/8');
  });
});
