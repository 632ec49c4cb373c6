import { ConfigError } from '@zt/config';
import { LOOPBACK_PROXIES, TrustedProxies } from './trusted-proxies';

describe('TrustedProxies', () => {
  it('trusts loopback by default, IPv4, IPv6 and IPv4-mapped', () => {
    const proxies = TrustedProxies.of(LOOPBACK_PROXIES);
    expect(proxies.trusts('127.0.0.1')).toBe(true);
    expect(proxies.trusts('127.10.0.3')).toBe(true);
    expect(proxies.trusts('::1')).toBe(true);
    expect(proxies.trusts('::ffff:127.0.0.1')).toBe(true);
    expect(proxies.trusts('10.0.0.1')).toBe(false);
    expect(proxies.trusts('::2')).toBe(false);
  });

  it('matches CIDRs and single addresses of both families', () => {
    const proxies = TrustedProxies.of(['10.1.0.0/16', '192.0.2.7', 'fd00::/8', '2001:db8::5']);
    expect(proxies.trusts('10.1.255.3')).toBe(true);
    expect(proxies.trusts('10.2.0.1')).toBe(false);
    expect(proxies.trusts('192.0.2.7')).toBe(true);
    expect(proxies.trusts('192.0.2.8')).toBe(false);
    expect(proxies.trusts('fd12:3456::1')).toBe(true);
    expect(proxies.trusts('2001:db8::5')).toBe(true);
    expect(proxies.trusts('2001:db8::6')).toBe(false);
    expect(proxies.trusts('::ffff:10.1.0.9')).toBe(true);
  });

  it('trusts nobody for an unknown or malformed peer address', () => {
    const proxies = TrustedProxies.of(['0.0.0.0/0']);
    expect(proxies.trusts(undefined)).toBe(false);
    expect(proxies.trusts('not an address')).toBe(false);
  });

  it.each([
    ['10.0.0.0/33'],
    ['fd00::/129'],
    ['10.0.0.0/x'],
    ['example.com'],
    ['10.0.0.0/8/8'],
    ['fe80::1%eth0'],
    ['10.0.0.0/'],
  ])('refuses to start with %s, naming TRUSTED_PROXIES', (entry) => {
    expect(() => TrustedProxies.of([entry])).toThrow(ConfigError);
    expect(() => TrustedProxies.of([entry])).toThrow(/TRUSTED_PROXIES/);
  });
});
