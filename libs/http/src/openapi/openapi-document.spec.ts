import { problem } from './api-operation';
import {
  buildOpenApiDocument,
  DocumentedRoute,
  openApiPath,
  undefinedMembersOfDocument,
} from './openapi-document';

type Operation = {
  operationId: string;
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
  requestBody?: { content: Record<string, { schema: unknown }> };
};
type Doc = { servers?: unknown; paths: Record<string, Record<string, Operation>> };

const INFO = { title: 't', version: '1' };

function build(routes: DocumentedRoute[], options = {}): Doc {
  return buildOpenApiDocument(routes, INFO, options) as unknown as Doc;
}

describe('openApiPath', () => {
  it('turns Nest parameters into OpenAPI ones and keeps literal colons', () => {
    expect(openApiPath('v1/zt-policy/policies/:id/versions/:version')).toEqual({
      path: '/v1/zt-policy/policies/{id}/versions/{version}',
      params: ['id', 'version'],
    });
    expect(openApiPath('v1/zt-policy/policies::validate').path).toBe('/v1/zt-policy/policies:validate');
  });
});

describe('buildOpenApiDocument', () => {
  const read: DocumentedRoute = {
    method: 'GET',
    path: 'v1/things/:id',
    isPublic: false,
    spec: { summary: 'Read', tag: 't', responses: { 200: { description: 'The thing' } } },
  };
  const create: DocumentedRoute = {
    method: 'POST',
    path: 'v1/things',
    isPublic: false,
    spec: {
      summary: 'Create',
      tag: 't',
      body: { schema: { type: 'object', properties: { attributes: { type: 'object' } } } },
      responses: { 201: { description: 'Made' }, 400: problem('Our own words') },
    },
  };
  const health: DocumentedRoute = {
    method: 'GET',
    path: 'healthz',
    isPublic: true,
    spec: { summary: 'Alive', tag: 'h', responses: { 200: { description: 'ok' } } },
  };

  it('names where the API is served when told', () => {
    expect(build([health], { servers: [{ url: 'https://pdp.example.com' }] }).servers).toEqual([
      { url: 'https://pdp.example.com' },
    ]);
    expect(build([health]).servers).toBeUndefined();
  });

  it('documents the refusals each operation can meet, as problem+json', () => {
    const doc = build([read, create, health], { admission: true });
    const statuses = (path: string, method: string) => Object.keys(doc.paths[path][method].responses).sort();
    expect(statuses('/v1/things/{id}', 'get')).toEqual(
      ['200', '400', '401', '403', '404', '4XX', '500', '503'].sort(),
    );
    expect(statuses('/v1/things', 'post')).toEqual(
      ['201', '400', '401', '403', '413', '415', '4XX', '500', '503'].sort(),
    );
    // Public, nothing validated, never refused by admission control.
    expect(statuses('/healthz', 'get')).toEqual(['200', '4XX', '500']);
    for (const op of [doc.paths['/v1/things/{id}'].get, doc.paths['/v1/things'].post]) {
      for (const [status, answer] of Object.entries(op.responses)) {
        if (status.startsWith('2')) continue;
        expect(Object.keys(answer.content ?? {})).toEqual(['application/problem+json']);
      }
    }
    // What a route says itself wins.
    expect(doc.paths['/v1/things'].post.responses['400'].description).toBe('Our own words');
  });

  it('does not promise a 400 to a route that reads only headers (forward-auth)', () => {
    const forwardAuth: DocumentedRoute = {
      method: 'GET',
      path: 'v1/forward-auth',
      isPublic: true,
      spec: { summary: 'Check', tag: 't', headers: { 'x-original-uri': 'The URI' }, responses: {} },
    };
    expect(Object.keys(build([forwardAuth]).paths['/v1/forward-auth'].get.responses)).toEqual(['500', '4XX']);
  });

  it('merges a declared 503 with the overload refusal', () => {
    const decide: DocumentedRoute = {
      ...create,
      spec: { ...create.spec!, responses: { 200: { description: 'ok' }, 503: problem('Behind') } },
    };
    const doc = build([decide], { admission: true });
    expect(doc.paths['/v1/things'].post.responses['503'].description).toMatch(/^Behind; or: Past capacity/);
  });

  it('gives stable operation ids from method and path', () => {
    const doc = build([read, create]);
    expect(doc.paths['/v1/things/{id}'].get.operationId).toBe('getV1ThingsId');
    expect(doc.paths['/v1/things'].post.operationId).toBe('postV1Things');
  });

  it('says free-form objects are free-form, without changing the schema the route validates with', () => {
    const doc = build([create]);
    expect(doc.paths['/v1/things'].post.requestBody?.content['application/json'].schema).toEqual({
      type: 'object',
      properties: { attributes: { type: 'object', additionalProperties: true } },
    });
    expect(create.spec?.body?.schema).toEqual({
      type: 'object',
      properties: { attributes: { type: 'object' } },
    });
  });
});

describe('undefinedMembersOfDocument', () => {
  it('names each operation whose schemas require members they do not define', () => {
    const route: DocumentedRoute = {
      method: 'GET',
      path: 'v1/things',
      isPublic: true,
      spec: {
        summary: 'List',
        tag: 't',
        responses: { 200: { description: 'ok', schema: { type: 'object', required: ['items'] } } },
      },
    };
    const doc = buildOpenApiDocument([route], INFO);
    expect(undefinedMembersOfDocument(doc)).toEqual(['GET /v1/things 200 application/json /: items']);
    expect(undefinedMembersOfDocument(buildOpenApiDocument([], INFO))).toEqual([]);
  });
});
