import { listeningPortOf, publicBaseUrl } from './public-base-url';

describe('publicBaseUrl', () => {
  it('is PUBLIC_BASE_URL when set, without a trailing slash', () => {
    const config = { PUBLIC_BASE_URL: 'https://pdp.example.com/', HOST: '0.0.0.0', PORT: 8080 };
    expect(publicBaseUrl(config, 41234)).toBe('https://pdp.example.com');
    // A deployment under a path keeps it: the AuthZEN metadata's endpoints hang below it.
    expect(publicBaseUrl({ ...config, PUBLIC_BASE_URL: 'https://example.com/authz/' }, 1)).toBe(
      'https://example.com/authz',
    );
  });

  it('is the address the process listens on otherwise, with its real port', () => {
    expect(publicBaseUrl({ HOST: '127.0.0.1', PORT: 0 }, 41234)).toBe('http://127.0.0.1:41234');
    expect(publicBaseUrl({ HOST: '::1', PORT: 8080 }, undefined)).toBe('http://[::1]:8080');
  });
});

describe('listeningPortOf', () => {
  it('is the port of a listening server, undefined before it listens or for a pipe', () => {
    expect(listeningPortOf({ address: () => ({ address: '127.0.0.1', family: 'IPv4', port: 41234 }) })).toBe(
      41234,
    );
    expect(listeningPortOf({ address: () => null })).toBeUndefined();
    expect(listeningPortOf({ address: () => '/tmp/zt.sock' })).toBeUndefined();
    expect(listeningPortOf(undefined)).toBeUndefined();
  });
});
