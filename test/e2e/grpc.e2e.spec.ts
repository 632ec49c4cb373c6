import type { ServiceError } from '@grpc/grpc-js';
import { DecisionGrpcServer } from '../../apps/decision/src/grpc/decision-grpc.server';
import { grpcClients } from '../support/grpc-clients';
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

describe('gRPC: Envoy ext_authz and zt.decision.v1 (standalone)', () => {
  let product: StandaloneUnderTest;
  let clients: ReturnType<typeof grpcClients>;
  let alice: string;
  let aliceMfa: string;

  beforeAll(async () => {
    product = await startStandaloneForTest();
    const port = product.process.app.get(DecisionGrpcServer).port;
    clients = grpcClients(`127.0.0.1:${port}`);
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
});
