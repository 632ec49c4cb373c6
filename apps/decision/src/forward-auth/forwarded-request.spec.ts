import { forwardedCheckOf, ForwardedCheck, MAX_FORWARDED_FOR, receivedHeaders } from './forwarded-request';
import { LOOPBACK_PROXIES, TrustedProxies } from './trusted-proxies';

const proxies = TrustedProxies.of([...LOOPBACK_PROXIES, '10.0.0.0/8']);

function check(headers: [string, string][]): ForwardedCheck {
  return forwardedCheckOf(receivedHeaders(headers.flat()), proxies);
}

function refusedAt(result: ForwardedCheck): string[] {
  return result.ok ? [] : result.errors.map((e) => e.pointer);
}

const NGINX: [string, string][] = [
  ['Host', '127.0.0.1:8080'],
  ['X-Original-Method', 'DELETE'],
  ['X-Original-URI', '/todos/7?x=1'],
  ['X-Forwarded-Host', 'api.example.com'],
  ['X-Forwarded-Proto', 'https'],
  ['X-Forwarded-For', '203.0.113.9'],
  ['Authorization', 'Bearer abc'],
  ['Accept', 'application/json'],
];

describe('forwardedCheckOf', () => {
  it('reads the nginx family: method, raw URI, host, scheme, client address; no secret or forwarding header in the context', () => {
    const result = check(NGINX);
    expect(result).toEqual({
      ok: true,
      check: {
        method: 'DELETE',
        scheme: 'https',
        host: 'api.example.com',
        rawPath: '/todos/7?x=1',
        headers: { accept: 'application/json' },
        sourceIp: '203.0.113.9',
      },
    });
  });

  it('reads the Traefik/Caddy family, with the port of X-Forwarded-Host and the device id', () => {
    const result = check([
      ['X-Forwarded-Method', 'get'],
      ['X-Forwarded-Uri', '/public/a'],
      ['X-Forwarded-Host', 'API.example.com:8443'],
      ['X-Zt-Device-Id', 'dev-1'],
    ]);
    expect(result.ok && result.check).toMatchObject({
      method: 'GET',
      host: 'api.example.com',
      port: 8443,
      scheme: 'http',
      rawPath: '/public/a',
      deviceId: 'dev-1',
    });
  });

  it('takes the host from Host when X-Forwarded-Host is absent', () => {
    const result = check([
      ['X-Forwarded-Method', 'GET'],
      ['X-Forwarded-Uri', '/'],
      ['Host', 'app.example.com'],
    ]);
    expect(result.ok && result.check.host).toBe('app.example.com');
  });

  it('accepts both families when they agree', () => {
    const result = check([...NGINX, ['X-Forwarded-Method', 'delete'], ['X-Forwarded-Uri', '/todos/7?x=1']]);
    expect(result.ok).toBe(true);
  });

  it('refuses families that disagree on the URI: the client forged the one its gateway does not set', () => {
    expect(refusedAt(check([...NGINX, ['X-Forwarded-Uri', '/public/ok']]))).toEqual([
      '/headers/x-forwarded-uri',
    ]);
  });

  it('refuses families that disagree on the method', () => {
    expect(refusedAt(check([...NGINX, ['X-Forwarded-Method', 'GET']]))).toEqual([
      '/headers/x-forwarded-method',
    ]);
  });

  it('refuses a repeated forwarding header (Node would join it into one URI)', () => {
    expect(refusedAt(check([...NGINX, ['X-Original-URI', '/public/x']]))).toEqual([
      '/headers/x-original-uri',
    ]);
    expect(refusedAt(check([...NGINX, ['x-forwarded-host', 'other.example.com']]))).toEqual([
      '/headers/x-forwarded-host',
    ]);
  });

  it('refuses a request without a method or a URI rather than guess one', () => {
    expect(
      refusedAt(
        check([
          ['X-Original-URI', '/a'],
          ['Host', 'h'],
        ]),
      ),
    ).toEqual(['/headers/x-original-method']);
    expect(
      refusedAt(
        check([
          ['X-Original-Method', 'GET'],
          ['Host', 'h'],
        ]),
      ),
    ).toEqual(['/headers/x-original-uri']);
  });

  it.each([
    [[['X-Original-Method', 'GET /x']], '/headers/x-original-method'],
    [[['X-Forwarded-Host', 'a.example.com, b.example.com']], '/headers/x-forwarded-host'],
    [[['X-Forwarded-Host', 'a.example.com:99999']], '/headers/x-forwarded-host'],
    [[['X-Forwarded-Proto', 'gopher']], '/headers/x-forwarded-proto'],
    [[['X-Forwarded-For', '203.0.113.9, not-an-ip']], '/headers/x-forwarded-for'],
  ] as [[string, string][], string][])('refuses a malformed value (%j)', (override, pointer) => {
    const names = new Set(override.map(([name]) => name.toLowerCase()));
    const headers = [...NGINX.filter(([name]) => !names.has(name.toLowerCase())), ...override];
    expect(refusedAt(check(headers))).toEqual([pointer]);
  });

  it('refuses an X-Forwarded-For chain longer than it reads', () => {
    const chain = Array.from({ length: MAX_FORWARDED_FOR + 1 }, (_, i) => `198.51.100.${i}`).join(', ');
    const headers = [...NGINX.filter(([name]) => name !== 'X-Forwarded-For'), ['X-Forwarded-For', chain]] as [
      string,
      string,
    ][];
    expect(refusedAt(check(headers))).toEqual(['/headers/x-forwarded-for']);
  });

  it('takes the client as the rightmost X-Forwarded-For entry that is not a trusted proxy', () => {
    const headers = [
      ...NGINX.filter(([name]) => name !== 'X-Forwarded-For'),
      ['X-Forwarded-For', '198.51.100.1, 203.0.113.9, 10.0.0.2, [::1]'],
    ] as [string, string][];
    const result = check(headers);
    expect(result.ok && result.check.sourceIp).toBe('203.0.113.9');
  });

  it('refuses a header value the input rule refuses (a lone surrogate)', () => {
    expect(refusedAt(check([...NGINX, ['X-Custom', 'a\ud800b']]))).toEqual(['/headers/x-custom']);
  });
});
