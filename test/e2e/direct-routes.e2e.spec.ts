import { call } from '../support/http';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';

// The decision endpoints are served by Fastify directly (@DirectRoute), outside Nest's router.
// Their callers must not be able to tell: same authentication, same problem+json, same headers.
const DIRECT = ['/v1/zt-policy/decisions', '/access/v1/evaluation', '/access/v1/evaluations'];

describe('direct routes answer like every other route (standalone)', () => {
  let product: StandaloneUnderTest;
  let pep: string;

  beforeAll(async () => {
    product = await startStandaloneForTest({ MAX_BODY_BYTES: '2048' });
    pep = await product.issuer.mint({ sub: 'gateway', roles: ['pep'] });
  });
  afterAll(() => product?.stop());

  const send = (path: string, init: { token?: string; body: string; type?: string; correlation?: string }) =>
    fetch(`${product.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': init.type ?? 'application/json',
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.correlation ? { 'x-correlation-id': init.correlation } : {}),
      },
      body: init.body,
    });

  it.each(DIRECT)('%s: 401 problem+json without a token, with a bad one, or with HS256', async (path) => {
    const hs256 = `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.e30.c2ln`;
    for (const token of [undefined, 'not-a-jwt', hs256]) {
      const r = await send(path, { token, body: '{}', correlation: 'corr-401' });
      expect(r.status).toBe(401);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.headers.get('x-correlation-id')).toBe('corr-401');
      expect(await r.json()).toMatchObject({
        status: 401,
        code: 'UNAUTHENTICATED',
        correlationId: 'corr-401',
      });
    }
  });

  it.each(DIRECT)('%s: 400 problem+json for malformed JSON and for an invalid request', async (path) => {
    const malformed = await send(path, { token: pep, body: '{"subject":' });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toContain('application/problem+json');
    expect(await malformed.json()).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    const invalid = await call<{ code: string; errors: { pointer: string }[] }>(product.url, 'POST', path, {
      token: pep,
      body: { subject: 42 },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.code).toBe('VALIDATION_FAILED');
    expect(invalid.body.errors.length).toBeGreaterThan(0);
    expect(invalid.body.errors.every((e) => e.pointer.startsWith('/'))).toBe(true);
  });

  it.each(DIRECT)(
    '%s: 413 and 415 (AuthZEN: 400) problem+json for a body too large or of a type it does not read',
    async (path) => {
      const large = await send(path, { token: pep, body: JSON.stringify({ pad: 'x'.repeat(4096) }) });
      expect(large.status).toBe(413);
      expect(await large.json()).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
      const text = await send(path, { token: pep, body: '<decide/>', type: 'application/xml' });
      // The AuthZEN transport answers 400 at the content type where every other route says 415.
      const authzen = path.startsWith('/access/v1/');
      expect(text.status).toBe(authzen ? 400 : 415);
      expect(await text.json()).toMatchObject(
        authzen
          ? { status: 400, code: 'VALIDATION_FAILED', errors: [{ pointer: '/headers/content-type' }] }
          : { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
      );
    },
  );

  it('is documented in /openapi.json with the 401 every authenticated route has', async () => {
    const doc = (
      await call<{ paths: Record<string, Record<string, { responses: object }>> }>(
        product.url,
        'GET',
        '/openapi.json',
      )
    ).body;
    for (const path of DIRECT) expect(Object.keys(doc.paths[path].post.responses)).toContain('401');
  });
});
