import { BlockList } from 'node:net';
import { ipFamily, specialAddress } from './special-addresses';

/**
 * Where lifeboat may send a request of its own (runbooks' notify, the verify hook):
 * LIFEBOAT_OUTBOUND_HOSTS, a comma list of
 *   hooks.slack.com         that host name (any port unless one is given: hooks.slack.com:443)
 *   *.example.com           any host under example.com (not example.com itself)
 *   203.0.113.7, [2001:db8::7]:8443, 10.0.0.0/8, fd00::/8
 *                           an address or a range (CIDR)
 *   *                       any host name
 * Unset, it is `*`. Whatever the list, the address a request really connects to decides too:
 * a public address is reached when the host's name (or the address) is listed; a special one
 * (loopback, link-local, private, the metadata service: special-addresses.ts) only when an
 * address or range entry covers it. So `*` never reaches 127.0.0.1, and neither does a listed
 * name that resolves to it: names say whom to talk to, addresses say whether it may be reached.
 */

interface NameEntry {
  kind: 'name';
  /** Lower case, without a trailing dot. */
  name: string;
  /** `*.name`: any host under it. */
  subdomains: boolean;
  port?: number;
}

interface AnyNameEntry {
  kind: 'any';
  port?: number;
}

interface AddressEntry {
  kind: 'address';
  text: string;
  range: BlockList;
  port?: number;
}

type OutboundEntry = NameEntry | AnyNameEntry | AddressEntry;

export interface OutboundPolicy {
  /** As configured, for messages. */
  source: string;
  entries: readonly OutboundEntry[];
}

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** One entry of the list, or the reason it is not one. */
function parseEntry(entry: string): OutboundEntry | string {
  const raw = entry.trim();
  let text = raw;
  let port: number | undefined;
  const withPort = /^(\[[^\]]+\]|[^:\]]+):(\d{1,5})$/.exec(text);
  if (withPort) {
    port = Number(withPort[2]);
    if (port < 1 || port > 65535) return `${raw}: the port must be 1 to 65535`;
    text = withPort[1]!;
  }
  const portPart = port !== undefined ? { port } : {};
  text = text.replace(/^\[(.*)\]$/, '$1');
  if (text === '*') return { kind: 'any', ...portPart };
  const cidr = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(text);
  const address = cidr ? cidr[1]! : text;
  const family = ipFamily(address);
  if (family) {
    const prefix = cidr ? Number(cidr[2]) : family === 'ipv4' ? 32 : 128;
    if (prefix > (family === 'ipv4' ? 32 : 128)) return `${raw}: the prefix is too long for an ${family} range`;
    const range = new BlockList();
    range.addSubnet(address, prefix, family);
    return { kind: 'address', text: raw, range, ...portPart };
  }
  if (cidr) return `${raw}: not an IP range`;
  const subdomains = text.startsWith('*.');
  const name = (subdomains ? text.slice(2) : text).toLowerCase().replace(/\.$/, '');
  if (!HOST_NAME.test(name)) return `${raw}: not a host name, address, range or *`;
  return { kind: 'name', name, subdomains, ...portPart };
}

/** LIFEBOAT_OUTBOUND_HOSTS as a policy; throws with the first bad entry named. */
export function parseOutboundHosts(text: string | undefined): OutboundPolicy {
  const source = text?.trim() ? text.trim() : '*';
  const entries: OutboundEntry[] = [];
  for (const raw of source.split(',').filter((s) => s.trim())) {
    const entry = parseEntry(raw);
    if (typeof entry === 'string') throw new Error(entry);
    entries.push(entry);
  }
  return { source, entries };
}

/** Why an entry is wrong, or undefined when every entry is one (for the settings' validation). */
export function outboundHostsProblem(text: string): string | undefined {
  try {
    parseOutboundHosts(text);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

const portMatches = (entry: OutboundEntry, port: number) => entry.port === undefined || entry.port === port;

function nameMatches(entry: OutboundEntry, host: string): boolean {
  if (entry.kind === 'any') return true;
  if (entry.kind !== 'name') return false;
  return entry.subdomains ? host.endsWith(`.${entry.name}`) : host === entry.name;
}

function addressMatches(entry: OutboundEntry, address: string): boolean {
  const family = ipFamily(address);
  return entry.kind === 'address' && family !== undefined && entry.range.check(address, family);
}

/**
 * Whether a request to `host` (as the URL names it, lower case) on `port` may connect to
 * `address` (what the host resolved to, or the host itself when it is an address); the
 * reason when not.
 */
export function judgeAddress(policy: OutboundPolicy, host: string, address: string, port: number): { allowed: true } | { allowed: false; reason: string } {
  const name = host.toLowerCase().replace(/\.$/, '');
  const special = specialAddress(address);
  const where = name === address ? address : `${name} (${address})`;
  if (special) {
    if (policy.entries.some((e) => addressMatches(e, address) && portMatches(e, port))) return { allowed: true };
    return { allowed: false, reason: `${where} is ${special}, reached only when LIFEBOAT_OUTBOUND_HOSTS lists the address or its range` };
  }
  if (policy.entries.some((e) => (nameMatches(e, name) || addressMatches(e, address)) && portMatches(e, port))) return { allowed: true };
  return { allowed: false, reason: `${where}, port ${port}, is not in LIFEBOAT_OUTBOUND_HOSTS (${policy.source})` };
}

const parsed = new Map<string, OutboundPolicy>();

/** The policy of a LIFEBOAT_OUTBOUND_HOSTS value (validated with the settings), parsed once. */
export function outboundPolicyOf(text: string | undefined): OutboundPolicy {
  const key = text ?? '';
  let policy = parsed.get(key);
  if (!policy) {
    policy = parseOutboundHosts(text);
    parsed.set(key, policy);
  }
  return policy;
}
