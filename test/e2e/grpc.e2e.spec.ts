import * as grpc from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { DecisionGrpcServer } from '../../apps/decision/src/grpc/decision-grpc.server';
import { deepStructBytes, lengthDelimited } from '../fuzz/grpc-values';
import { decisionProtos, grpcClients } from '../support/grpc-clients';
import { call } from '../support/http';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';

type CheckResponse = {
  status: { code: number };
  ok_response?: { headers: { header: { key: string; value: string } }[] };
  denied_response?: {
    status: { code: string };
    headers: { header: { key: string; value: string } }[];
    body: string;
  };
};

function header(
  headers: { header: { key: string; value: string } }[] | undefined,
  key: string,
): string | undefined {
  return headers?.find((h) => h.header.key === key)?.header.value;
}

function checkRequest(
  method: string,
  host: string,
  path: string,
  token?: string,
  extra: Record<string, string> = {},
) {
  return {
    attributes: {
      source: { address: { socket_address: { address: '10.1.2.3', port_value: 40000 } } },
      request: {
        http: {
          method,
          host,
          path,
          scheme: 'https',
          headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra },
        },
      },
    },
  };
}

/** A length-delimited field written by its tag byte (field number << 3 | 2). */
const field = (tag: number, bytes: Buffer): Buffer => lengthDelimited(tag >> 3, bytes);

/** Request bytes sent as they are, as a hostile caller would; the answer decoded with `decode`. */
function rawUnary(
  address: string,
  path: string,
  bytes: Buffer,
  decode: (b: Buffer) => unknown,
): Promise<unknown> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  return new Promise<unknown>((resolve, reject) =>
    client.makeUnaryRequest(
      path,
      (b: Buffer) => b,
      decode,
      bytes,
      (error, response) => (error ? reject(error) : resolve(response)),
    ),
  ).finally(() => client.close());
}

const methods = decisionProtos() as unknown as Record<
  string,
  Record<string, grpc.MethodDefinition<unknown, unknown>>
>;
const CHECK = methods['envoy.service.auth.v3.Authorization'].Check;
const DECIDE = methods['zt.decision.v1.DecisionService'].Decide;

describe('gRPC: Envoy ext_authz and zt.decision.v1 (standalone)', () => {
  let product: StandaloneUnderTest;
  let clients: ReturnType<typeof grpcClients>;
  let address: string;
  let alice: string;
  let aliceMfa: string;

  beforeAll(async () => {
    product = await startStandaloneForTest();
    const port = product.process.app.get(DecisionGrpcServer).port;
    address = `127.0.0.1:${port}`;
    clients = grpcClients(address);
    const admin = await product.issuer.mint({ sub: 'pat@company.com', roles: ['policy_admin'] });
    const policies = [
      {
        id: 'pol_read',
        subjects: ['group:engineering'],
        resources: ['gitlab.company.com/*'],
        actions: ['GET'],
        effect: 'allow',
      },
      {
        id: 'pol_push',
        subjects: ['group:engineering'],
        resources: ['gitlab.company.com/*'],
        actions: ['POST'],
        effect: 'require_mfa',
      },
      {
        id: 'pol_sandbox',
        subjects: ['*'],
        resources: ['downloads.company.com/*'],
        actions: ['GET'],
        effect: 'isolate',
      },
    ];
    let revision = 0;
    for (const p of policies) {
      const r = await call(product.url, 'POST', '/v1/zt-policy/policies', {
        token: admin,
        body: { name: p.id, ...p },
      });
      revision = Number(r.headers.get('zt-policy-revision'));
    }
    alice = await product.issuer.mint({ sub: 'alice@company.com', roles: [], groups: ['engineering'] });
    aliceMfa = await product.issuer.mint({
      sub: 'alice@company.com',
      roles: [],
      groups: ['engineering'],
      mfa: true,
    });
    // Read-your-writes over gRPC: the last revision is reached before the checks below.
    await clients.decide(
      { action: 'GET', resource: { id: 'gitlab.company.com/' }, min_revision: String(revision) },
      { authorization: `Bearer ${alice}` },
    );
  });

  afterAll(async () => {
    clients?.close();
    await product?.stop();
  });

  it('answers OK for an allowed request, with the decision id for the upstream', async () => {
    const r = (await clients.check(
      checkRequest('GET', 'gitlab.company.com', '/api/v4/projects', alice),
    )) as CheckResponse;
    expect(r.status.code).toBe(0);
    expect(header(r.ok_response?.headers, 'x-zt-decision-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers 403 for a denied request, 401 with a challenge for require_mfa, OK for it after MFA', async () => {
    const denied = (await clients.check(
      checkRequest('DELETE', 'gitlab.company.com', '/api/v4/projects/1', alice),
    )) as CheckResponse;
    expect(denied.status.code).toBe(7);
    expect(denied.denied_response?.status.code).toBe('Forbidden');
    const step = (await clients.check(
      checkRequest('POST', 'gitlab.company.com', '/api/v4/projects', alice),
    )) as CheckResponse;
    expect(step.status.code).toBe(16);
    expect(step.denied_response?.status.code).toBe('Unauthorized');
    expect(header(step.denied_response?.headers, 'www-authenticate')).toMatch(/acr_values="mfa"/);
    const after = (await clients.check(
      checkRequest('POST', 'gitlab.company.com', '/api/v4/projects', aliceMfa),
    )) as CheckResponse;
    expect(after.status.code).toBe(0);
  });

  it('answers OK with the isolation header for isolate', async () => {
    const r = (await clients.check(
      checkRequest('GET', 'downloads.company.com', '/tool.zip', alice),
    )) as CheckResponse;
    expect(r.status.code).toBe(0);
    expect(header(r.ok_response?.headers, 'x-zt-isolate')).toBe('true');
  });

  it('answers 401 without a valid token', async () => {
    const none = (await clients.check(
      checkRequest('GET', 'gitlab.company.com', '/', undefined),
    )) as CheckResponse;
    expect(none.status.code).toBe(16);
    expect(none.denied_response?.status.code).toBe('Unauthorized');
    const forged = (await clients.check(
      checkRequest('GET', 'gitlab.company.com', '/', `${alice}x`),
    )) as CheckResponse;
    expect(forged.denied_response?.status.code).toBe('Unauthorized');
  });

  it('decides over zt.decision.v1 with the caller token, and names bad fields', async () => {
    const r = await clients.decide(
      { action: 'GET', resource: { id: 'gitlab.company.com/x' } },
      { authorization: `Bearer ${alice}` },
    );
    expect(r).toMatchObject({ decision: 'allow', deciding_policies: [{ id: 'pol_read', version: 1 }] });
    await expect(clients.decide({ action: 'GET', resource: { id: 'x' } })).rejects.toMatchObject({
      code: 16,
    });
    const invalid = await clients
      .decide({ action: '', resource: { id: 'x' } }, { authorization: `Bearer ${alice}` })
      .catch((e: ServiceError) => e);
    expect(invalid).toMatchObject({ code: 3 });
    expect((invalid as ServiceError).details).toMatch(/\/action/);
    await expect(
      clients.decide(
        { action: 'GET', resource: { id: 'x' } },
        { authorization: `Bearer ${alice}`, 'zt-min-revision': '99999' },
      ),
    ).rejects.toMatchObject({ code: 14 });
  });

  describe('hostile input', () => {
    const refusedDecide = (request: Record<string, unknown>) =>
      clients.decide(request, { authorization: `Bearer ${alice}` }).then(
        () => {
          throw new Error('the request was decided');
        },
        (e: ServiceError) => e,
      );

    it('answers Decide INVALID_ARGUMENT naming a NUL in an id and a control character in the action', async () => {
      const error = await refusedDecide({
        action: 'G\u001BET',
        resource: { id: 'gitlab.company.com/\u0000' },
      });
      expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(error.details).toContain('/action contains the control character U+001B at offset 1');
      expect(error.details).toContain('/resource/id contains the control character U+0000 at offset 19');
    });

    it('answers Decide INVALID_ARGUMENT for NaN and Infinity in a Struct, naming a bad member name escaped', async () => {
      const error = await refusedDecide({
        action: 'GET',
        resource: {
          id: 'gitlab.company.com/x',
          attributes: { fields: { size: { numberValue: Number.NaN } } },
        },
        context: {
          fields: { risk: { numberValue: Number.POSITIVE_INFINITY }, ['a\u001B']: { stringValue: 'x' } },
        },
      });
      expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(error.details).toContain('/resource/attributes/size is not a finite number');
      expect(error.details).toContain('/context/risk is not a finite number');
      expect(error.details).toContain('/context/a\\u001b member name contains the control character U+001B');
    });

    it('receives a lone surrogate as U+FFFD: protobuf strings are UTF-8, so it never reaches the decision', async () => {
      // grpc-js encodes it as the bytes of U+D800, which are not UTF-8; Node decodes them as U+FFFD.
      const decided = await clients.decide(
        { action: 'G\uD800ET', resource: { id: 'gitlab.company.com/\uDC00' } },
        { authorization: `Bearer ${alice}` },
      );
      expect(decided).toMatchObject({ decision: 'deny' });
      const checked = (await clients.check(
        checkRequest('GET', 'gitlab.company.com', '/api/\uD800', alice, { 'x-team': 'a\uDC00' }),
      )) as CheckResponse;
      expect(checked.status.code).toBe(0);
    });

    it('answers Decide INVALID_ARGUMENT for a context Struct 40 levels deep and one 10,000 levels deep', async () => {
      let deep: Record<string, unknown> = { fields: { leaf: { numberValue: 1 } } };
      for (let i = 1; i < 40; i++) deep = { fields: { d: { structValue: deep } } };
      const error = await refusedDecide({
        action: 'GET',
        resource: { id: 'gitlab.company.com/x' },
        context: deep,
      });
      expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(error.details).toContain('is nested deeper than 32 levels');
      const request = Buffer.concat([
        DECIDE.requestSerialize({ action: 'GET', resource: { id: 'gitlab.company.com/x' } }),
        field(0x22, deepStructBytes(10_000, 'struct')), // context = 4
      ]);
      expect(request.length).toBeLessThan(4 * 1024 * 1024);
      const raw = (await rawUnary(address, DECIDE.path, request, DECIDE.responseDeserialize).catch(
        (e: ServiceError) => e,
      )) as ServiceError;
      expect(raw.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(raw.details).toContain('nested deeper than protobuf decoding allows');
      // The server is unharmed: the next request is decided.
      await expect(
        clients.decide(
          { action: 'GET', resource: { id: 'gitlab.company.com/x' } },
          { authorization: `Bearer ${alice}` },
        ),
      ).resolves.toMatchObject({ decision: 'allow' });
    });

    it('denies a Check with 400 and a problem+json body naming a NUL in the path, a control character in a header, a port that is no number', async () => {
      for (const [request, pointer] of [
        [checkRequest('GET', 'gitlab.company.com', '/api\u0000', alice), '/attributes/request/http/path'],
        [
          checkRequest('GET', 'gitlab.company.com', '/api', alice, { 'x-team': 'a\u0007' }),
          '/attributes/request/http/headers/x-team',
        ],
        [checkRequest('GET', 'gitlab.company.com:80x', '/api', alice), '/attributes/request/http/host'],
      ] as const) {
        const r = (await clients.check(request)) as CheckResponse;
        expect(r.status.code).toBe(grpc.status.INVALID_ARGUMENT);
        expect(r.ok_response).toBeFalsy();
        expect(r.denied_response?.status.code).toBe('BadRequest');
        expect(header(r.denied_response?.headers, 'content-type')).toBe('application/problem+json');
        const body = JSON.parse(r.denied_response!.body) as { status: number; errors: { pointer: string }[] };
        expect(body.status).toBe(400);
        expect(body.errors.map((e) => e.pointer)).toEqual([pointer]);
      }
    });

    it('denies a Check carrying a Struct 10,000 levels deep with 400, never allows it', async () => {
      const request = Buffer.concat([
        CHECK.requestSerialize(checkRequest('GET', 'gitlab.company.com', '/api/v4/projects', alice)),
        // attributes (1) { metadata_context (11) { filter_metadata (1) { "x": Struct } } }
        field(
          0x0a,
          field(
            0x5a,
            field(
              0x0a,
              Buffer.concat([
                Buffer.from([0x0a, 0x01, 0x78]),
                field(0x12, deepStructBytes(10_000, 'struct')),
              ]),
            ),
          ),
        ),
      ]);
      const r = (await rawUnary(address, CHECK.path, request, CHECK.responseDeserialize)) as CheckResponse;
      expect(r.status.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(r.ok_response).toBeFalsy();
      expect(r.denied_response?.status.code).toBe('BadRequest');
      expect(JSON.parse(r.denied_response!.body)).toMatchObject({ status: 400, errors: [{ pointer: '' }] });
    });
  });
});
