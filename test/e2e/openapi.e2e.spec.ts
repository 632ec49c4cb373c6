import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { call, JsonResponse } from '../support/http';
import { SEED_000_ENGINEERING_ADMIN } from '../support/seed-examples';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';

type Operation = {
  summary: string;
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
};
type OpenApi = { openapi: string; paths: Record<string, Record<string, Operation>> };

describe('the OpenAPI document', () => {
  let product: StandaloneUnderTest;
  let doc: OpenApi;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);

  /** Asserts that a real response is documented for its route and status, and matches its schema. */
  function conforms(method: string, path: string, response: JsonResponse<unknown>): void {
    const operation = doc.paths[path]?.[method.toLowerCase()];
    expect(operation).toBeDefined();
    const documented = operation.responses[String(response.status)];
    if (!documented)
      throw new Error(`${method} ${path} answered ${response.status}, which is not documented`);
    const contentType = (response.headers.get('content-type') ?? '').split(';')[0];
    const media = documented.content?.[contentType];
    if (!media)
      throw new Error(`${method} ${path} ${response.status} answered ${contentType}, not documented`);
    const validate = ajv.compile(media.schema);
    if (!validate(response.body)) {
      throw new Error(`${method} ${path} ${response.status}: ${ajv.errorsText(validate.errors)}`);
    }
  }

  beforeAll(async () => {
    product = await startStandaloneForTest();
    doc = (await call<OpenApi>(product.url, 'GET', '/openapi.json')).body;
  });

  afterAll(async () => {
    await product?.stop();
  });

  it('is OpenAPI 3.1 and documents every route the server has', () => {
    expect(doc.openapi).toBe('3.1.0');
    const undocumented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op.summary === '')
        .map(([method]) => `${method} ${path}`),
    );
    expect(undocumented).toEqual([]);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/zt-policy/policies',
        '/v1/zt-policy/policies/{id}',
        '/v1/zt-policy/policies:validate',
        '/v1/zt-policy/decisions',
      ]),
    );
  });

  it('lists no operation the server does not route', () => {
    const fastify = product.process.app.getHttpAdapter().getInstance();
    const missing = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .map((method) => ({
          method: method.toUpperCase(),
          url: path.replace(/:/g, '::').replace(/\{(\w+)\}/g, ':$1'),
        }))
        .filter((route) => !fastify.hasRoute(route))
        .map((route) => `${route.method} ${route.url}`),
    );
    expect(missing).toEqual([]);
  });

  it('describes what the server really answers', async () => {
    const admin = await product.issuer.mint({ sub: 'pat@company.com', roles: ['policy_admin'] });
    const auditor = await product.issuer.mint({ sub: 'audra@company.com', roles: ['auditor'] });
    const policies = '/v1/zt-policy/policies';
    const created = await call(product.url, 'POST', policies, {
      token: admin,
      body: SEED_000_ENGINEERING_ADMIN,
    });
    conforms('POST', policies, created);
    conforms(
      'POST',
      policies,
      await call(product.url, 'POST', policies, { token: admin, body: { name: 1 } }),
    );
    conforms('GET', policies, await call(product.url, 'GET', policies, { token: admin }));
    conforms('GET', policies, await call(product.url, 'GET', policies, {}));
    conforms(
      'GET',
      `${policies}/{id}`,
      await call(product.url, 'GET', `${policies}/pol_884b81`, { token: admin }),
    );
    conforms('GET', `${policies}/{id}`, await call(product.url, 'GET', `${policies}/nope`, { token: admin }));
    conforms(
      'PUT',
      `${policies}/{id}`,
      await call(product.url, 'PUT', `${policies}/pol_884b81`, {
        token: admin,
        body: SEED_000_ENGINEERING_ADMIN,
        headers: { 'if-match': '"7"' },
      }),
    );
    conforms(
      'GET',
      `${policies}/{id}/versions`,
      await call(product.url, 'GET', `${policies}/pol_884b81/versions`, { token: admin }),
    );
    conforms(
      'POST',
      '/v1/zt-policy/policies:validate',
      await call(product.url, 'POST', '/v1/zt-policy/policies:validate', {
        token: admin,
        body: SEED_000_ENGINEERING_ADMIN,
      }),
    );
    conforms(
      'POST',
      '/v1/zt-policy/decisions',
      await call(product.url, 'POST', '/v1/zt-policy/decisions', {
        token: admin,
        body: {
          subject: { id: 'bob', groups: ['engineering'] },
          action: 'read',
          resource: { id: 'gitlab.x' },
        },
      }),
    );
    conforms(
      'PUT',
      '/v1/zt-policy/principals/{id}',
      await call(product.url, 'PUT', '/v1/zt-policy/principals/bob', {
        token: admin,
        body: { groups: ['engineering'] },
      }),
    );
    conforms(
      'GET',
      '/v1/zt-policy/audit/events',
      await call(product.url, 'GET', '/v1/zt-policy/audit/events', { token: auditor }),
    );
    conforms('GET', '/healthz', await call(product.url, 'GET', '/healthz'));
  });

  it('serves a browsable UI from local files', async () => {
    const page = await fetch(`${product.url}/docs`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('/openapi.json');
    const bundle = await fetch(`${product.url}/docs/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${product.url}/docs/..%2Fpackage.json`)).status).toBe(404);
  });
});
