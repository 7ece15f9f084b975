import { BlockList, isIP } from 'node:net';

/**
 * Addresses lifeboat never calls out to unless LIFEBOAT_OUTBOUND_HOSTS lists them by address
 * or range: this host, the local network, the cloud's metadata service, and addresses that
 * are not unicast on the internet (IANA's special-purpose registries, IPv4 and IPv6).
 *
 * An IPv4 address written as IPv6 (::ffff:127.0.0.1, or ::ffff:7f00:1) is judged as the IPv4
 * address it is: BlockList matches IPv4-mapped addresses against IPv4 ranges. Spellings such
 * as 0x7f000001, 2130706433 or 127.1 never reach here as such: the URL parser turns them into
 * 127.0.0.1 first.
 */
const SPECIAL_RANGES: ReadonlyArray<[network: string, prefix: number, family: 'ipv4' | 'ipv6', what: string]> = [
  ['0.0.0.0', 8, 'ipv4', '"this network" (0.0.0.0/8)'],
  ['10.0.0.0', 8, 'ipv4', 'a private address (10.0.0.0/8)'],
  ['100.64.0.0', 10, 'ipv4', 'a carrier-grade NAT address (100.64.0.0/10)'],
  ['127.0.0.0', 8, 'ipv4', 'a loopback address (127.0.0.0/8)'],
  ['169.254.0.0', 16, 'ipv4', 'a link-local address (169.254.0.0/16, the cloud metadata service among them)'],
  ['172.16.0.0', 12, 'ipv4', 'a private address (172.16.0.0/12)'],
  ['192.0.0.0', 24, 'ipv4', 'an IETF protocol address (192.0.0.0/24)'],
  ['192.0.2.0', 24, 'ipv4', 'a documentation address (192.0.2.0/24)'],
  ['192.88.99.0', 24, 'ipv4', 'a 6to4 relay address (192.88.99.0/24)'],
  ['192.168.0.0', 16, 'ipv4', 'a private address (192.168.0.0/16)'],
  ['198.18.0.0', 15, 'ipv4', 'a benchmarking address (198.18.0.0/15)'],
  ['198.51.100.0', 24, 'ipv4', 'a documentation address (198.51.100.0/24)'],
  ['203.0.113.0', 24, 'ipv4', 'a documentation address (203.0.113.0/24)'],
  ['224.0.0.0', 4, 'ipv4', 'a multicast address (224.0.0.0/4)'],
  ['240.0.0.0', 4, 'ipv4', 'a reserved address (240.0.0.0/4, broadcast included)'],
  ['::', 128, 'ipv6', 'the unspecified address (::)'],
  ['::1', 128, 'ipv6', 'the loopback address (::1)'],
  ['::', 96, 'ipv6', 'an IPv4-compatible address (::/96)'],
  ['64:ff9b::', 96, 'ipv6', 'a NAT64 address (64:ff9b::/96)'],
  ['64:ff9b:1::', 48, 'ipv6', 'a local NAT64 address (64:ff9b:1::/48)'],
  ['100::', 64, 'ipv6', 'a discard address (100::/64)'],
  ['2001::', 23, 'ipv6', 'an IETF protocol address (2001::/23, Teredo among them)'],
  ['2001:db8::', 32, 'ipv6', 'a documentation address (2001:db8::/32)'],
  ['2002::', 16, 'ipv6', 'a 6to4 address (2002::/16)'],
  ['fc00::', 7, 'ipv6', 'a unique local address (fc00::/7)'],
  ['fe80::', 10, 'ipv6', 'a link-local address (fe80::/10)'],
  ['fec0::', 10, 'ipv6', 'a site-local address (fec0::/10)'],
  ['ff00::', 8, 'ipv6', 'a multicast address (ff00::/8)'],
];

const compiled = SPECIAL_RANGES.map(([network, prefix, family, what]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { list, what };
});

/** An IP address's family for BlockList, or undefined for something that is not one. */
export function ipFamily(address: string): 'ipv4' | 'ipv6' | undefined {
  const v = isIP(address);
  return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : undefined;
}

/** What kind of special address this is ("a loopback address (127.0.0.0/8)"), or undefined for a public unicast one. */
export function specialAddress(address: string): string | undefined {
  const family = ipFamily(address);
  if (!family) return 'not an IP address';
  return compiled.find((r) => r.list.check(address, family))?.what;
}
