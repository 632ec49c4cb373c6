import type { DecisionResult } from '@zt/policy-engine';
import {
  bearerOf,
  checkInvalidOf,
  checkRefusalOf,
  checkRequestProblems,
  checkResponseOf,
  decisionBodyOf,
  GrpcCode,
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

describe('decisionBodyOf', () => {
  it('maps method to action, host and path to the resource, source and headers to the context', () => {
    const body = decisionBodyOf(check);
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
  });

  it('finds the bearer token, and nothing when there is none', () => {
    expect(bearerOf(check)).toBe('abc.def.ghi');
    expect(bearerOf({})).toBeUndefined();
    expect(
      bearerOf({ attributes: { request: { http: { headers: { authorization: 'Basic x' } } } } }),
    ).toBeUndefined();
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
