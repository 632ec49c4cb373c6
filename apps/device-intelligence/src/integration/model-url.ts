import { LookupAddress, lookup as dnsLookup, LookupOptions } from 'node:dns';
import { BlockList, isIP, LookupFunction } from 'node:net';
import type { AppConfig, RuntimeMode } from '@zt/config';

/** Which hosts a model URL may name, from the settings in force now (not those of the write). */
export interface ModelHostRules {
  /** MODEL_ALLOWED_HOSTS: when non-empty, only these host names (case-insensitive). */
  allowedHosts: readonly string[];
  /** Loopback, link-local, private ranges and metadata names are allowed (standalone or MODEL_ALLOW_PRIVATE_HOSTS). */
  allowPrivate: boolean;
}

/** The host rules of this process: standalone is a local trial, so its model may run next to it. */
export function modelHostRules(
  config: Pick<AppConfig, 'MODEL_ALLOWED_HOSTS' | 'MODEL_ALLOW_PRIVATE_HOSTS'>,
  mode: RuntimeMode,
): ModelHostRules {
  return {
    allowedHosts: config.MODEL_ALLOWED_HOSTS ?? [],
    allowPrivate: mode === 'standalone' || config.MODEL_ALLOW_PRIVATE_HOSTS,
  };
}

// Cloud instance metadata services answer credentials to whoever asks from inside the instance.
const METADATA_NAMES = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'metadata.azure.internal',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.tencentyun.com',
  'metadata.platformequinix.com',
]);

/** Address ranges a model must not be on by default, each with the words a refusal uses. */
const RANGES: [kind: string, address: string, prefix: number, family: 'ipv4' | 'ipv6'][] = [
  ['a "this network" address', '0.0.0.0', 8, 'ipv4'],
  ['a loopback address', '127.0.0.0', 8, 'ipv4'],
  ['a private address', '10.0.0.0', 8, 'ipv4'],
  ['a private address', '172.16.0.0', 12, 'ipv4'],
  ['a private address', '192.168.0.0', 16, 'ipv4'],
  ['a link-local (cloud metadata) address', '169.254.0.0', 16, 'ipv4'],
  ['a shared (carrier-grade NAT) address', '100.64.0.0', 10, 'ipv4'],
  ['a protocol-assignment address', '192.0.0.0', 24, 'ipv4'],
  ['a benchmarking address', '198.18.0.0', 15, 'ipv4'],
  ['a multicast or reserved address', '224.0.0.0', 3, 'ipv4'],
  ['the unspecified address', '::', 128, 'ipv6'],
  ['a loopback address', '::1', 128, 'ipv6'],
  ['a link-local address', 'fe80::', 10, 'ipv6'],
  ['a site-local address', 'fec0::', 10, 'ipv6'],
  ['a unique local (private) address', 'fc00::', 7, 'ipv6'],
  ['a multicast address', 'ff00::', 8, 'ipv6'],
  // Forms that carry an IPv4 address inside IPv6 (IPv4-mapped ones, ::ffff:a.b.c.d, are
  // checked against the IPv4 ranges by BlockList itself).
  ['an IPv4-compatible IPv6 address', '::', 96, 'ipv6'],
  ['a NAT64 address', '64:ff9b::', 96, 'ipv6'],
  ['a 6to4 address', '2002::', 16, 'ipv6'],
];

const BLOCKS = RANGES.map(([kind, address, prefix, family]) => {
  const list = new BlockList();
  list.addSubnet(address, prefix, family);
  return { kind, list };
});

const ALLOW_PRIVATE_HINT =
  'set MODEL_ALLOWED_HOSTS to the model host, or MODEL_ALLOW_PRIVATE_HOSTS=true to allow private hosts';

/** What kind of internal address this IP literal is, or undefined when it is public. */
export function internalAddressKind(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return undefined;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  return BLOCKS.find((block) => block.list.check(address, type))?.kind;
}

/** Why a resolved address may not be connected to under these rules, or undefined when it may. */
export function resolvedAddressProblem(
  host: string,
  address: string,
  rules: ModelHostRules,
): string | undefined {
  if (rules.allowPrivate || rules.allowedHosts.length > 0) return undefined;
  const kind = internalAddressKind(address);
  return kind ? `host ${host} resolves to ${address}, ${kind}; ${ALLOW_PRIVATE_HINT}` : undefined;
}

/** The host as compared: lower case, without IPv6 brackets or the root's trailing dot. */
function bareHost(url: URL): string {
  return url.hostname
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

function hostProblem(host: string, rules: ModelHostRules): string | undefined {
  if (rules.allowedHosts.length > 0) {
    const listed = rules.allowedHosts.some((allowed) => allowed.toLowerCase().replace(/\.$/, '') === host);
    return listed ? undefined : `host ${host} is not in MODEL_ALLOWED_HOSTS`;
  }
  if (rules.allowPrivate) return undefined;
  if (host === 'localhost' || host.endsWith('.localhost')) {
    return `host ${host} is a loopback name; ${ALLOW_PRIVATE_HINT}`;
  }
  if (METADATA_NAMES.has(host)) return `host ${host} is a cloud metadata name; ${ALLOW_PRIVATE_HINT}`;
  const kind = internalAddressKind(host);
  return kind ? `host ${host} is ${kind}; ${ALLOW_PRIVATE_HINT}` : undefined;
}

/**
 * Why a model URL is refused, or undefined when it may be called. Only http and https, no
 * credentials in the URL (they would land in logs and events), and only hosts the rules allow:
 * the service calls this URL from inside the network, so an open choice would let an
 * administrator's token reach any internal host (server-side request forgery). The URL is
 * parsed as WHATWG does, so numeric IPv4 forms (2130706433, 0x7f.1) are judged as the dotted
 * address they mean. A name is judged here by itself; what it resolves to is judged at call time.
 */
export function modelUrlProblem(raw: string, rules: ModelHostRules): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must use http or https';
  if (url.username !== '' || url.password !== '') return 'must not carry credentials';
  return hostProblem(bareHost(url), rules);
}

/** A model host refused at call time: the call fails with this reason and on_failure applies. */
export class ForbiddenHostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenHostError';
  }
}

/** Every address a name resolves to (dns.lookup with `all`; tests answer for names they invent). */
export type AddressResolver = (
  hostname: string,
  options: LookupOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

const resolveAll: AddressResolver = (hostname, options, callback) =>
  dnsLookup(hostname, { ...options, all: true }, callback);

/**
 * A DNS lookup for the model's HTTP client that refuses names resolving to internal addresses
 * (DNS rebinding: a public name that answers 127.0.0.1 or 169.254.169.254 at call time). The
 * connection uses only addresses checked here, so a second answer cannot slip in between check
 * and connect. Every address of the answer must pass, since the client may try any of them.
 * Undefined when the rules allow every address (an allow-list names its hosts on purpose).
 */
export function forbiddenHostLookup(
  rules: ModelHostRules,
  resolve: AddressResolver = resolveAll,
): LookupFunction | undefined {
  if (rules.allowPrivate || rules.allowedHosts.length > 0) return undefined;
  return (hostname, options, callback) => {
    resolve(hostname, options, (error, addresses) => {
      if (error) return callback(error, '');
      const problem = addresses
        .map((resolved) => resolvedAddressProblem(hostname, resolved.address, rules))
        .find((found) => found !== undefined);
      if (problem) return callback(new ForbiddenHostError(problem), '');
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(new Error(`host ${hostname} has no address`), '');
      return callback(null, first.address, first.family);
    });
  };
}
