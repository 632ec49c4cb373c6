import * as grpc from '@grpc/grpc-js';
import type { Principal } from '@zt/auth';
import { DecisionGrpcServer } from '../../apps/decision/src/grpc/decision-grpc.server';
import { PoliciesService } from '../../apps/policy-admin/src/policies/policies.service';
import { grpcClients } from '../support/grpc-clients';
import { call, eventually } from '../support/http';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';

const DECISIONS = '/v1/zt-policy/decisions';
const DECISION = { action: 'read', resource: { id: 'wiki.company.com/page' } };

/** The value of the sample of `name` carrying every label given, 0 when absent. */
function sample(metrics: string, name: string, labels: Record<string, string> = {}): number {
  const found = metrics
    .split('\n')
    .find(
      (l) =>
        l.startsWith(`${name}{`) &&
        Object.entries(labels).every(([label, value]) => l.includes(`${label}="${value}"`)),
    );
  return found ? Number(found.slice(found.lastIndexOf(' ') + 1)) : 0;
}

const metricsOf = async (url: string): Promise<string> => (await fetch(`${url}/metrics`)).text();

/**
 * Admission control past a deliberately tiny limit: two requests in flight at most, held there
 * by asking for a policy revision that does not exist yet (they wait for it, as a replica behind
 * its admin would). Every other request is then refused at once, over HTTP and gRPC, while the
 * health endpoints answer; once the revision arrives, the two are answered and requests are
 * admitted again. The event-loop limit is off: its refusals depend on the machine's speed, and
 * its logic is covered by the unit tests.
 */
describe('overload: admission control (standalone)', () => {
  let product: StandaloneUnderTest;
  let clients: ReturnType<typeof grpcClients>;
  let alice: string;
  let admin: Principal;
  let revision: number;

  beforeAll(async () => {
    product = await startStandaloneForTest({
      ADMISSION_MAX_IN_FLIGHT: '2',
      ADMISSION_EVENT_LOOP_DELAY_MS: '0',
      // Long enough that the held requests only end when the revision arrives.
      MIN_REVISION_WAIT_MS: '30000',
    });
    clients = grpcClients(`127.0.0.1:${product.process.app.get(DecisionGrpcServer).port}`);
    alice = await product.issuer.mint({ sub: 'alice@company.com', roles: [], groups: ['staff'] });
    const token = await product.issuer.mint({ sub: 'pat@company.com', roles: ['policy_admin'] });
    const created = await call(product.url, 'POST', '/v1/zt-policy/policies', {
      token,
      body: {
        name: 'wiki',
        subjects: ['group:staff'],
        resources: ['wiki.company.com/*'],
        actions: ['read'],
        effect: 'allow',
      },
    });
    expect(created.status).toBe(201);
    revision = Number(created.headers.get('zt-policy-revision'));
    admin = {
      sub: 'pat@company.com',
      roles: ['policy_admin'],
      groups: [],
      amr: [],
      mfa: false,
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
      claims: {},
    };
  });

  afterAll(async () => {
    clients?.close();
    await product?.stop();
  });

  it('refuses past capacity with 503 / RESOURCE_EXHAUSTED, keeps health answering, and admits again once load drops', async () => {
    const next = String(revision + 1);
    // Two requests that wait for the next revision hold both slots: one over HTTP, one over gRPC.
    const heldHttp = call(product.url, 'POST', DECISIONS, {
      token: alice,
      body: DECISION,
      headers: { 'zt-min-revision': next },
    });
    const heldGrpc = clients.decide(
      { ...DECISION, min_revision: next },
      { authorization: `Bearer ${alice}` },
    );
    await eventually(
      async () => (sample(await metricsOf(product.url), 'zt_requests_in_flight') === 2 ? true : undefined),
      15_000,
      'both slots held',
    );

    const refused = await fetch(`${product.url}${DECISIONS}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${alice}`,
        'content-type': 'application/json',
        'x-correlation-id': 'overload-1',
      },
      body: JSON.stringify(DECISION),
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await refused.json()).toMatchObject({
      status: 503,
      code: 'OVERLOADED',
      instance: DECISIONS,
      correlationId: 'overload-1',
    });
    const authzen = await call(product.url, 'POST', '/access/v1/evaluation', {
      token: alice,
      body: {
        subject: { type: 'user', id: 'alice@company.com' },
        action: { name: 'read' },
        resource: { type: 'page', id: 'x' },
      },
    });
    expect(authzen.status).toBe(503);
    expect(authzen.body).toMatchObject({ code: 'OVERLOADED' });

    const decideError = (await clients
      .decide(DECISION, { authorization: `Bearer ${alice}` })
      .catch((e: unknown) => e)) as grpc.ServiceError;
    expect(decideError.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(decideError.metadata.get('retry-after')).toEqual(['1']);
    // ext_authz: a gRPC error, not a denial, so Envoy's failure_mode_allow decides.
    const checkError = (await clients
      .check(
        {
          attributes: {
            request: {
              http: {
                method: 'GET',
                host: 'wiki.company.com',
                path: '/page',
                headers: { authorization: `Bearer ${alice}` },
              },
            },
          },
        },
        {},
      )
      .catch((e: unknown) => e)) as grpc.ServiceError;
    expect(checkError.code).toBe(grpc.status.RESOURCE_EXHAUSTED);

    // Probes and scrapes are never refused, nor counted.
    expect((await fetch(`${product.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${product.url}/readyz`)).status).toBe(200);
    const metrics = await metricsOf(product.url);
    const shed = (api: string) => sample(metrics, 'zt_requests_shed_total', { api, reason: 'in_flight' });
    expect(shed('http')).toBe(2);
    expect(shed('grpc_decide')).toBe(1);
    expect(shed('grpc_check')).toBe(1);

    // The revision arrives (written inside the process: an admin call over HTTP would be refused
    // too); both held requests are answered, and requests are admitted again.
    await product.process.app.get(PoliciesService).create(
      {
        name: 'docs',
        subjects: ['group:staff'],
        resources: ['docs.company.com/*'],
        actions: ['read'],
        effect: 'allow',
      },
      { actor: admin },
    );
    expect((await heldHttp).status).toBe(200);
    expect((await heldGrpc).decision).toBe('allow');
    const admitted = await call(product.url, 'POST', DECISIONS, { token: alice, body: DECISION });
    expect(admitted.status).toBe(200);
    expect(admitted.body).toMatchObject({ decision: 'allow' });
    expect((await clients.decide(DECISION, { authorization: `Bearer ${alice}` })).decision).toBe('allow');
  });
});
