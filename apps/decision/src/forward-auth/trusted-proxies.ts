import { BlockList, isIP } from 'node:net';
import { ConfigError } from '@zt/config';

/** The loopback ranges, trusted when TRUSTED_PROXIES is not set: a gateway on the same host. */
export const LOOPBACK_PROXIES: readonly string[] = ['127.0.0.0/8', '::1/128'];

/**
 * The addresses whose forwarded headers (X-Original-*, X-Forwarded-*) forward-auth believes: the
 * gateways in front of the decision service. Built from CIDRs (`10.0.0.0/8`, `fd00::/8`) or
 * single addresses; IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`, as a dual-stack socket reports
 * an IPv4 peer) match the IPv4 ranges.
 */
export class TrustedProxies {
  private readonly ranges = new BlockList();

  private constructor(readonly cidrs: readonly string[]) {
    for (const cidr of cidrs) {
      const [address, prefix] = cidr.split('/');
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      this.ranges.addSubnet(
        address,
        prefix === undefined ? (family === 'ipv6' ? 128 : 32) : Number(prefix),
        family,
      );
    }
  }

  /**
   * The trusted ranges of a TRUSTED_PROXIES list; throws a ConfigError naming the variable and
   * the entry for anything that is not an address or a CIDR, so the service refuses to start
   * rather than trust other addresses than meant.
   */
  static of(cidrs: readonly string[], variable = 'TRUSTED_PROXIES'): TrustedProxies {
    for (const cidr of cidrs) {
      const problem = cidrProblem(cidr);
      if (problem) throw new ConfigError(variable, `has "${cidr}", which ${problem}`);
    }
    return new TrustedProxies(cidrs);
  }

  /** Whether a peer address (as the socket reports it) is one of the trusted proxies. */
  trusts(address: string | undefined): boolean {
    if (address === undefined) return false;
    const family = isIP(address);
    if (family === 0) return false;
    return this.ranges.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }
}

/** What is wrong with one entry of the list, or undefined. */
function cidrProblem(cidr: string): string | undefined {
  const parts = cidr.split('/');
  if (parts.length > 2) return 'is not an address or a CIDR';
  const [address, prefix] = parts;
  const family = isIP(address);
  // A zone (`fe80::1%eth0`) names an interface, not a range; isIP accepts it, BlockList does not.
  if (family === 0 || address.includes('%')) return 'is not an IPv4 or IPv6 address';
  if (prefix === undefined) return undefined;
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return `has a prefix length that is not 0 to ${max}`;
  return undefined;
}
