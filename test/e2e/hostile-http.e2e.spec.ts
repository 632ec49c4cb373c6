import { IncomingHttpHeaders, request } from 'node:http';
import { eventually } from '../support/http';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';

// One hostile caller must never hurt anyone else: whatever it sends to whichever route, Nest's or
// a direct one, it gets a problem+json that names the field and quotes nothing it sent, and the
// product stays healthy with nothing stored.

const API = '/v1/zt-policy';

interface Problem {
  status: number;
  code: string;
  detail: string;
  instance?: string;
  errors?: { pointer: string; detail: string }[];
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** One request on a fresh connection, the path sent byte for byte as given (fetch would normalize it). */
function send(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  const { hostname, port } = new URL(baseUrl);
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(options.body));
  }
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Checks an answer is problem+json of that status and code, and gives the problem. */
function problemOf(answer: Answer, status: number, code: string): Problem {
  expect({ status: answer.status, type: answer.headers['content-type'] }).toEqual({
    status,
    type: expect.stringContaining('application/problem+json'),
  });
  const problem = JSON.parse(answer.text) as Problem;
  expect(problem).toMatchObject({ status, code });
  return problem;
}

/** Checks an answer is 400 VALIDATION_FAILED naming `pointer` (or a pointer under it). */
function expectRefusedField(answer: Answer, pointer: string, detail?: RegExp): void {
  const problem = problemOf(answer, 400, 'VALIDATION_FAILED');
  const named = (problem.errors ?? []).find(
    (e) => e.pointer === pointer || e.pointer.startsWith(`${pointer}/`),
  );
  expect(named).toBeDefined();
  if (detail) expect(named?.detail).toMatch(detail);
}

const NUL = /control character U\+0000/;
const SURROGATE = /lone surrogate U\+DC00/;

/** JSON text of an array nested `levels` deep. */
const nestedArrays = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
/** JSON text of an object nested `levels` deep. */
const nestedObjects = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

describe('hostile HTTP input is refused at the edge (standalone)', () => {
  let product: StandaloneUnderTest;
  let token: string;
  let revisionBefore: number;
  let policiesBefore: string;
  const call = (method: string, path: string, options: Parameters<typeof send>[3] = {}) =>
    send(product.url, method, path, { token, ...options });
  const decide = (body: string) => call('POST', `${API}/decisions`, { body });
  const evaluate = (body: string) => call('POST', '/access/v1/evaluation', { body });
  const snapshot = async () =>
    JSON.parse((await call('GET', `${API}/policies:snapshot`)).text) as { revision: number };

  beforeAll(async () => {
    product = await startStandaloneForTest();
    token = await product.issuer.mint({
      sub: 'mallory@company.com',
      roles: ['policy_admin', 'infra_admin', 'auditor', 'device_agent', 'pep'],
      mfa: true,
    });
    revisionBefore = (await snapshot()).revision;
    policiesBefore = (await call('GET', `${API}/policies`)).text;
  });
  afterAll(() => product?.stop());

  describe('path parameters', () => {
    it.each([
      ['GET', `${API}/policies/a%00`, '/id'],
      ['DELETE', `${API}/policies/a%00`, '/id'],
      ['GET', `${API}/policies/pol_1/versions/%00`, '/version'],
      ['GET', `${API}/principals/a%00`, '/id'],
      ['GET', `${API}/device-intelligence/devices/%00`, '/id'],
      ['GET', `${API}/device-intelligence/devices/a%1B%5B31m`, '/id'],
    ])('%s %s: 400 naming %s', async (method, path, pointer) => {
      expectRefusedField(await call(method, path), pointer, /^path parameter contains the control character/);
    });

    it('PUT /principals/{id} with NUL in the id: 400 naming /id, before the body is looked at', async () => {
      expectRefusedField(await call('PUT', `${API}/principals/p%00`, { body: '{}' }), '/id', NUL);
    });

    it('a percent-encoded lone surrogate or malformed percent-encoding is a malformed URL: 400 quoting nothing', async () => {
      for (const path of [
        `${API}/policies/%ED%B0%80`,
        `${API}/policies/%E0%A4%A`,
        `${API}/principals/%C0%80`,
      ]) {
        const answer = await call('GET', `${path}?access_token=secret`);
        const problem = problemOf(answer, 400, 'VALIDATION_FAILED');
        expect(problem.instance).toBeUndefined();
        expect(answer.text).not.toMatch(/%E|%C0|secret/);
      }
    });
  });

  describe('query strings', () => {
    it.each([
      [`${API}/policies?subject=%00`, '/subject'],
      [`${API}/policies?resource=a%01b`, '/resource'],
      [`${API}/audit/events?actor=%00`, '/actor'],
      [`${API}/audit/events?subject=ok&type=%1F`, '/type'],
    ])('GET %s: 400 naming %s', async (path, pointer) => {
      expectRefusedField(await call('GET', path), pointer, /^query parameter contains the control character/);
    });

    it('names the bad value of a repeated parameter by its index', async () => {
      expectRefusedField(await call('GET', `${API}/policies?subject=a&subject=%00`), '/subject/1', NUL);
    });

    it('refuses an unsafe parameter name', async () => {
      expectRefusedField(
        await call('GET', `${API}/audit/events?a%00=1`),
        '/a\u0000',
        /^query parameter name/,
      );
    });

    it('checks the query of a direct route too', async () => {
      const body = JSON.stringify({ action: 'read', resource: { id: 'r' } });
      expectRefusedField(await call('POST', `${API}/decisions?x=%00`, { body }), '/x', NUL);
    });
  });

  describe('bodies', () => {
    const decision = (subjectId: string) =>
      JSON.stringify({ subject: { id: subjectId }, action: 'read', resource: { id: 'gitlab.repo' } });

    it('a decision whose subject id holds NUL or a lone surrogate: 400 naming /subject/id', async () => {
      expectRefusedField(await decide(decision('a\u0000')), '/subject/id', NUL);
      expectRefusedField(await decide(decision('\udc00')), '/subject/id', SURROGATE);
      const authzen = (id: string) =>
        JSON.stringify({
          subject: { type: 'user', id },
          action: { name: 'read' },
          resource: { type: 't', id: 'r' },
        });
      expectRefusedField(await evaluate(authzen('a\u0000')), '/subject/id', NUL);
      expectRefusedField(await evaluate(authzen('\udc00')), '/subject/id', SURROGATE);
    });

    it('a policy body: 400 naming the field, or the member whose name is bad', async () => {
      const policy = {
        name: 'p',
        subjects: ['group:x'],
        resources: ['r.*'],
        actions: ['read'],
        effect: 'allow',
      };
      expectRefusedField(
        await call('POST', `${API}/policies`, { body: JSON.stringify({ ...policy, name: 'n\u0000' }) }),
        '/name',
        NUL,
      );
      expectRefusedField(
        await call('POST', `${API}/policies`, {
          body: JSON.stringify({ ...policy, subjects: ['group:\udc00'] }),
        }),
        '/subjects/0',
        SURROGATE,
      );
      expectRefusedField(
        await call('PUT', `${API}/policies/pol_x`, {
          body: JSON.stringify({ ...policy, id: 'pol_x', conditions: { ['k\u0000']: 1 } }),
        }),
        '/conditions/k\u0000',
        /^member name contains/,
      );
    });

    it('a principal body: 400 naming the attribute', async () => {
      const body = JSON.stringify({ type: 'user', attributes: { dept: '\udc00' } });
      expectRefusedField(await call('PUT', `${API}/principals/p1`, { body }), '/attributes/dept', SURROGATE);
    });

    it('a posture body: 400 naming the field', async () => {
      const body = JSON.stringify({ device_id: 'd\u0000', signals: {} });
      expectRefusedField(
        await call('POST', `${API}/device-intelligence/posture`, { body }),
        '/device_id',
        NUL,
      );
    });

    it('JSON nested 10,000 levels in context, subject attributes or action properties: 400, not 500', async () => {
      const base = '"action":"read","resource":{"id":"r"}';
      expectRefusedField(await decide(`{${base},"context":{"x":${nestedArrays(10_000)}}}`), '/context/x');
      expectRefusedField(
        await decide(`{${base},"subject":{"id":"u","attributes":{"x":${nestedObjects(10_000)}}}}`),
        '/subject/attributes/x',
      );
      const authzen = `{"subject":{"type":"user","id":"u"},"resource":{"type":"t","id":"r"}`;
      expectRefusedField(
        await evaluate(`${authzen},"action":{"name":"read","properties":{"x":${nestedObjects(10_000)}}}}`),
        '/action/properties/x',
        /nested deeper than 32 levels/,
      );
    });

    it('1e309 and -1e400 (infinite once parsed): 400 naming the number', async () => {
      const base = '"action":"read","resource":{"id":"r"}';
      expectRefusedField(
        await decide(`{${base},"context":{"risk":1e309}}`),
        '/context/risk',
        /not a finite number/,
      );
      expectRefusedField(
        await decide(`{${base},"subject":{"id":"u","attributes":{"score":-1e400}}}`),
        '/subject/attributes/score',
        /not a finite number/,
      );
    });

    it('malformed JSON: 400 with the body as the field, quoting none of it', async () => {
      const answer = await call('POST', `${API}/policies`, { body: '{"secret-value": nope}' });
      expectRefusedField(answer, '');
      expect(answer.text).not.toContain('secret-value');
    });

    it('a body over MAX_BODY_BYTES: 413 problem+json', async () => {
      const answer = await decide(JSON.stringify({ pad: 'x'.repeat(1_100_000) }));
      problemOf(answer, 413, 'PAYLOAD_TOO_LARGE');
    });
  });

  describe('content types', () => {
    it.each([
      ['POST', `${API}/policies`],
      ['PUT', `${API}/principals/p2`],
      ['POST', `${API}/decisions`],
    ])('%s %s: form-urlencoded, text/plain and others are 415 quoting nothing', async (method, path) => {
      for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'application/x-secret+json']) {
        const answer = await call(method, path, { body: 'name=x', headers: { 'content-type': type } });
        problemOf(answer, 415, 'UNSUPPORTED_MEDIA_TYPE');
        expect(answer.text).not.toMatch(/x-www|text\/plain|secret/);
      }
    });

    it.each([['/access/v1/evaluation'], ['/access/v1/evaluations']])(
      'POST %s: a body that is not JSON is 400 at /headers/content-type, as the AuthZEN transport requires, quoting nothing',
      async (path) => {
        for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'application/x-secret+json']) {
          const answer = await call('POST', path, { body: 'name=x', headers: { 'content-type': type } });
          const problem = problemOf(answer, 400, 'VALIDATION_FAILED');
          expect(problem.errors).toEqual([expect.objectContaining({ pointer: '/headers/content-type' })]);
          expect(answer.text).not.toMatch(/x-www|text\/plain|secret/);
        }
      },
    );
  });

  describe('what Node and the router refuse before any route runs', () => {
    it('431 problem+json for headers over the limit', async () => {
      const answer = await call('GET', `${API}/policies`, { headers: { 'x-padding': 'p'.repeat(20_000) } });
      problemOf(answer, 431, 'HEADERS_TOO_LARGE');
      expect(answer.text).not.toContain('ppp');
    });

    it('414 problem+json for a URL over 8192 characters or a path segment over the router limit', async () => {
      const long = await call('GET', `${API}/policies?subject=${'s'.repeat(9000)}`);
      expect(problemOf(long, 414, 'URI_TOO_LONG').instance).toBeUndefined();
      expect(long.text).not.toContain('sss');
      const segment = await call('GET', `${API}/principals/${'s'.repeat(3100)}`);
      expect(problemOf(segment, 414, 'URI_TOO_LONG').instance).toBeUndefined();
      expect(segment.text).not.toContain('sss');
    });
  });

  describe('instance and detail never echo the query string', () => {
    it('401 for ?access_token=…: instance is the path alone', async () => {
      const answer = await send(product.url, 'GET', `${API}/policies?access_token=secret.jwt.value`);
      expect(problemOf(answer, 401, 'UNAUTHENTICATED').instance).toBe(`${API}/policies`);
      expect(answer.text).not.toContain('secret');
    });

    it('404 for an unknown route: no URL in detail or instance', async () => {
      const answer = await call('GET', '/nowhere?access_token=secret.jwt.value');
      expect(problemOf(answer, 404, 'NOT_FOUND').instance).toBe('/nowhere');
      expect(answer.text).not.toContain('secret');
    });

    it('an unsafe correlation id is replaced, not echoed, even where the router refuses the URL', async () => {
      for (const path of [`${API}/policies/a%00`, `${API}/policies/%E0%A4%A`]) {
        const answer = await call('GET', path, { headers: { 'x-correlation-id': '<b>evil</b>' } });
        expect(answer.text).not.toContain('evil');
        expect(answer.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
      }
    });
  });

  describe('afterwards', () => {
    it('the process is healthy and nothing was stored', async () => {
      expect((await send(product.url, 'GET', '/healthz')).status).toBe(200);
      expect((await snapshot()).revision).toBe(revisionBefore);
      expect((await call('GET', `${API}/policies`)).text).toBe(policiesBefore);
      expect((await call('GET', `${API}/principals/p1`)).status).toBe(404);
      expect((await call('GET', `${API}/policies/pol_x`)).status).toBe(404);
    });

    it('the audit log holds none of the refused decisions and its chain holds', async () => {
      // Decisions reach the audit log in order: once a later decision is there, any refused one
      // that had slipped through would be there too.
      const marker = JSON.stringify({
        subject: { id: 'marker-after-hostile' },
        action: 'read',
        resource: { id: 'r' },
      });
      expect((await decide(marker)).status).toBe(200);
      const log = await eventually(async () => {
        const text = (await call('GET', `${API}/audit/events?limit=500`)).text;
        return text.includes('marker-after-hostile') ? text : undefined;
      });
      expect(log).not.toMatch(/\\u0000|\\udc00/i);
      expect(JSON.parse((await call('GET', `${API}/audit/verify`)).text)).toMatchObject({ valid: true });
    });
  });
});
