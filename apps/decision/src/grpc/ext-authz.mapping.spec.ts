import type { DecisionResult } from '@zt/policy-engine';
import { RouteTable } from '../http-check/route-table';
import {
  bearerOf,
  checkAmbiguousOf,
  checkInvalidOf,
  CheckRequestMessage,
  checkRefusalOf,
  checkRequestProblems,
  checkResponseOf,
  decisionBodyOf,
  GrpcCode,
  sourcePrincipalOf,
  WORKLOAD_TYPE,
} from './ext-authz.mapping';

const check = {
  attributes: {
    source: { address: { socket_address: { address: '10.0.0.7', port_value: 51234 } } },
    request: {
      http: {
        method: 'post',
        host: 'gitlab.company.com:8443',
        path: '/api/v4/projects?page=2#top',
        scheme: 'https',
        headers: {
          authorization: 'Bearer abc.def.ghi',
          cookie: 'session=secret',
          'x-zt-device-id': 'laptop-7',
          'user-agent': 'curl/8',
          ':authority': 'gitlab.company.com:8443',
        },
      },
    },
  },
};

const result = (decision: DecisionResult['decision']) => ({
  decision,
  decidingPolicies: [],
  reasons: ['admin words'],
  userReasons: ['user words'],
  obligations: [],
  audit: [],
  candidates: [],
  decision_id: 'd-1',
  revision: 9,
});

function headerOf(
  headers: { header: { key: string; value: string } }[] | undefined,
  key: string,
): string | undefined {
  return headers?.find((h) => h.header.key === key)?.header.value;
}

const noRoutes = new RouteTable();

/** The decision body of a check that maps, failing the test if its path is refused. */
function bodyOf(request: CheckRequestMessage, routes = noRoutes, workload?: string) {
  const mapping = decisionBodyOf(request, routes, workload);
  if (!mapping.ok) throw new Error(mapping.reason);
  return mapping.body;
}

describe('decisionBodyOf', () => {
  it('maps method to action, host and path to the resource, source and headers to the context', () => {
    const body = bodyOf(check);
    expect(body.action).toBe('POST');
    expect(body.resource).toEqual({
      type: 'http',
      id: 'gitlab.company.com/api/v4/projects',
      attributes: {
        host: 'gitlab.company.com',
        path: '/api/v4/projects',
        method: 'POST',
        scheme: 'https',
        port: 8443,
      },
    });
    expect(body.subject).toBeUndefined();
    expect(body.context).toMatchObject({ ip: '10.0.0.7', device: { id: 'laptop-7' } });
    const headers = (body.context?.http as { headers: Record<string, string> }).headers;
    expect(headers).toEqual({ 'x-zt-device-id': 'laptop-7', 'user-agent': 'curl/8' });
    expect((body.context?.http as { query: string }).query).toBe('page=2');
    expect(body.context?.envoy).toBeUndefined();
  });

  it('normalizes the path before mapping, and refuses an ambiguous one', () => {
    expect(bodyOf(checkWith({ path: '/public/%2e%2e/admin/users' })).resource.id).toBe(
      'gitlab.company.com/admin/users',
    );
    const refused = decisionBodyOf(checkWith({ path: '/public/..%2Fadmin' }), noRoutes);
    expect(refused).toEqual({ ok: false, reason: expect.stringMatching(/encoded \//) });
  });

  it('maps through the route table', () => {
    const routes = new RouteTable({
      version: 1,
      routes: [
        { method: 'DELETE', path: '/todos/{id}', action: 'delete', resource: { type: 'todo', id: '{id}' } },
      ],
    });
    const body = bodyOf(checkWith({ method: 'DELETE', path: '/todos/42' }), routes);
    expect(body.action).toBe('delete');
    expect(body.resource).toEqual({ type: 'todo', id: '42', attributes: { id: '42' } });
  });

  it('reads header_map (encode_raw_headers: true): raw bytes as UTF-8, repeated names joined', () => {
    const raw = (text: string) => Buffer.from(text, 'utf8');
    const request = checkWith({
      headers: {},
      header_map: {
        headers: [
          { key: 'Authorization', raw_value: raw('Bearer abc.def.ghi') },
          { key: 'x-zt-device-id', raw_value: raw('laptop-7') },
          { key: 'x-team', value: 'a' },
          { key: 'x-team', raw_value: raw('b') },
          { key: 'cookie', raw_value: raw('session=secret') },
        ],
      },
    });
    expect(checkRequestProblems(request)).toEqual([]);
    expect(bearerOf(request)).toBe('abc.def.ghi');
    const body = bodyOf(request);
    expect((body.context?.http as { headers: Record<string, string> }).headers).toEqual({
      'x-zt-device-id': 'laptop-7',
      'x-team': 'a,b',
    });
    expect(body.context?.device).toEqual({ id: 'laptop-7' });
  });

  it('refuses header_map bytes that are not UTF-8, and both header spellings at once', () => {
    const problems = checkRequestProblems(
      checkWith({ header_map: { headers: [{ key: 'x-a', raw_value: Buffer.from([0xff, 0xfe]) }] } }),
    );
    expect(problems.map((p) => p.pointer).sort()).toEqual([
      '/attributes/request/http/header_map/headers/0/raw_value',
      '/attributes/request/http/headers',
    ]);
  });

  it('adds context_extensions and filter metadata as context.envoy', () => {
    const request = {
      attributes: {
        ...checkWith({}).attributes,
        context_extensions: { team: 'payments', tier: 'gold' },
        metadata_context: {
          filter_metadata: {
            'envoy.filters.http.jwt_authn': {
              fields: {
                payload: {
                  kind: 'structValue' as const,
                  structValue: { fields: { sub: { kind: 'stringValue' as const, stringValue: 'rick' } } },
                },
              },
            },
          },
        },
      },
    };
    expect(checkRequestProblems(request)).toEqual([]);
    expect(bodyOf(request).context?.envoy).toEqual({
      context_extensions: { team: 'payments', tier: 'gold' },
      metadata_context: { 'envoy.filters.http.jwt_authn': { payload: { sub: 'rick' } } },
    });
  });

  it('bounds context_extensions and metadata', () => {
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'v']));
    const namespaces = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`ns${i}`, { fields: {} }]));
    const problems = checkRequestProblems({
      attributes: {
        ...checkWith({}).attributes,
        context_extensions: many,
        metadata_context: { filter_metadata: namespaces },
        route_metadata_context: { filter_metadata: { 'bad/name': { fields: {} } } },
      },
    });
    expect(problems.map((p) => p.pointer)).toEqual(
      expect.arrayContaining([
        '/attributes/context_extensions',
        '/attributes/metadata_context/filter_metadata',
        '/attributes/route_metadata_context/filter_metadata/bad~1name',
      ]),
    );
  });

  it('bounds the length of a context extension', () => {
    const problems = checkRequestProblems({
      attributes: { ...checkWith({}).attributes, context_extensions: { long: 'x'.repeat(2_000) } },
    });
    expect(problems.map((p) => p.pointer)).toEqual(['/attributes/context_extensions/long']);
  });

  it('makes a trusted mTLS peer the subject, as a workload, named in context.envoy', () => {
    const request = {
      attributes: {
        ...checkWith({}).attributes,
        source: { principal: 'spiffe://cluster.local/ns/shop/sa/cart' },
      },
    };
    expect(sourcePrincipalOf(request)).toBe('spiffe://cluster.local/ns/shop/sa/cart');
    const body = bodyOf(request, noRoutes, 'spiffe://cluster.local/ns/shop/sa/cart');
    expect(body.subject).toEqual({ type: WORKLOAD_TYPE, id: 'spiffe://cluster.local/ns/shop/sa/cart' });
    expect(body.context?.envoy).toEqual({ source_principal: 'spiffe://cluster.local/ns/shop/sa/cart' });
    expect(sourcePrincipalOf({ attributes: { source: { principal: '' } } })).toBeUndefined();
    expect(
      checkRequestProblems({ attributes: { source: { principal: `spiffe://${'a'.repeat(600)}` } } })[0]
        .pointer,
    ).toBe('/attributes/source/principal');
  });

  it('finds the bearer token, and nothing when there is none', () => {
    expect(bearerOf(check)).toBe('abc.def.ghi');
    expect(bearerOf({})).toBeUndefined();
    expect(
      bearerOf({ attributes: { request: { http: { headers: { authorization: 'Basic x' } } } } }),
    ).toBeUndefined();
  });
});

describe('checkAmbiguousOf', () => {
  it('denies with 403 and a problem+json body naming the path', () => {
    const response = checkAmbiguousOf('the path has an encoded / (%2F) at offset 9');
    expect(response.status.code).toBe(GrpcCode.PERMISSION_DENIED);
    expect(response.denied_response?.status.code).toBe('Forbidden');
    expect(JSON.parse(response.denied_response!.body)).toMatchObject({
      status: 403,
      errors: [
        { pointer: '/attributes/request/http/path', detail: 'the path has an encoded / (%2F) at offset 9' },
      ],
    });
  });
});

describe('checkResponseOf', () => {
  it('lets allow through with the decision id', () => {
    const response = checkResponseOf(result('allow'));
    expect(response.status.code).toBe(GrpcCode.OK);
    expect(headerOf(response.ok_response?.headers, 'x-zt-decision-id')).toBe('d-1');
    expect(headerOf(response.ok_response?.headers, 'x-zt-isolate')).toBeUndefined();
  });

  it('lets isolate through, marked for isolation', () => {
    const response = checkResponseOf(result('isolate'));
    expect(response.status.code).toBe(GrpcCode.OK);
    expect(headerOf(response.ok_response?.headers, 'x-zt-isolate')).toBe('true');
  });

  it('answers require_mfa with 401 and a step-up challenge, deny with 403 and the user reasons', () => {
    const mfa = checkResponseOf(result('require_mfa'));
    expect(mfa.status.code).toBe(GrpcCode.UNAUTHENTICATED);
    expect(mfa.denied_response?.status.code).toBe('Unauthorized');
    expect(headerOf(mfa.denied_response?.headers, 'www-authenticate')).toMatch(
      /insufficient_user_authentication/,
    );
    const deny = checkResponseOf(result('deny'));
    expect(deny.status.code).toBe(GrpcCode.PERMISSION_DENIED);
    expect(deny.denied_response?.status.code).toBe('Forbidden');
    expect(JSON.parse(deny.denied_response!.body)).toEqual({
      decision: 'deny',
      decision_id: 'd-1',
      reasons: ['user words'],
    });
  });

  it('refuses without a valid token with 401, and over the rate with 429', () => {
    expect(checkRefusalOf(401, 'token expired').denied_response?.status.code).toBe('Unauthorized');
    const limited = checkRefusalOf(429, 'too many', '1');
    expect(limited.status.code).toBe(GrpcCode.RESOURCE_EXHAUSTED);
    expect(headerOf(limited.denied_response?.headers, 'retry-after')).toBe('1');
  });
});

/** The example check with its HTTP attributes changed. */
function checkWith(http: Record<string, unknown>) {
  return {
    attributes: {
      ...check.attributes,
      request: { http: { ...check.attributes.request.http, ...http } },
    },
  };
}

describe('checkRequestProblems', () => {
  const HTTP = '/attributes/request/http';

  it('finds nothing wrong with an ordinary request', () => {
    expect(checkRequestProblems(check)).toEqual([]);
  });

  it('names a NUL in the path, a lone surrogate in a passed-on header, a control character in the token', () => {
    const problems = checkRequestProblems(
      checkWith({
        path: '/api\u0000/x',
        headers: {
          ...check.attributes.request.http.headers,
          'x-team': 'a\uD800',
          authorization: 'Bearer a\u001Bb',
        },
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        { pointer: `${HTTP}/path`, detail: 'contains the control character U+0000 at offset 4' },
        { pointer: `${HTTP}/headers/x-team`, detail: 'contains a lone surrogate U+D800 at offset 1' },
        {
          pointer: `${HTTP}/headers/authorization`,
          detail: 'contains the control character U+001B at offset 8',
        },
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  it('names a bad header name, the method, the source address and a port that is not a number', () => {
    const problems = checkRequestProblems({
      attributes: {
        source: { address: { socket_address: { address: '10.0.0.1\u0007' } } },
        request: {
          http: { method: 'G\uDC00T', host: 'a.example:8o', path: '/', headers: { 'x-\u0000': '1' } },
        },
      },
    });
    expect(problems.map((p) => p.pointer).sort()).toEqual(
      [
        `${HTTP}/method`,
        `${HTTP}/headers/x-\u0000`,
        `${HTTP}/host`,
        '/attributes/source/address/socket_address/address',
      ].sort(),
    );
  });

  it('does not judge what the decision never reads: the body, cookies', () => {
    expect(
      checkRequestProblems(checkWith({ body: '\u0000binary', headers: { cookie: 'a=\u0001' } })),
    ).toEqual([]);
  });
});

describe('checkInvalidOf', () => {
  it('denies with 400 and a problem+json body naming each field, escaped and clipped', () => {
    const long = `/attributes/request/http/headers/${'x'.repeat(1_000)}`;
    const response = checkInvalidOf([
      { pointer: '/attributes/request/http/headers/x-\u0000', detail: 'member name contains U+0000' },
      { pointer: long, detail: 'is longer than 65536 characters' },
    ]);
    expect(response.status.code).toBe(GrpcCode.INVALID_ARGUMENT);
    expect(response.ok_response).toBeUndefined();
    expect(response.denied_response?.status.code).toBe('BadRequest');
    expect(headerOf(response.denied_response?.headers, 'content-type')).toBe('application/problem+json');
    expect(response.denied_response!.body).not.toContain('\u0000');
    const body = JSON.parse(response.denied_response!.body) as {
      status: number;
      code: string;
      errors: { pointer: string }[];
    };
    expect(body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', title: 'Bad Request' });
    expect(body.errors[0].pointer).toBe('/attributes/request/http/headers/x-\u0000');
    expect(body.errors[1].pointer).toHaveLength(257);
  });
});
