import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { DecisionGrpcServer } from '../../apps/decision/src/grpc/decision-grpc.server';
import { grpcClients } from '../support/grpc-clients';
import { call } from '../support/http';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';

/**
 * Envoy ext_authz as an Envoy operator configures it: Check requests shaped as Envoy sends them
 * (path as `:path`, header_map with `encode_raw_headers: true`, context_extensions, filter
 * metadata, the mTLS peer as source.principal), the route table of ROUTES_FILE, and the
 * grpc.health.v1 and reflection services Envoy's health checks and grpcurl use.
 */

type HeaderOption = { header: { key: string; value: string } };
type CheckResponse = {
  status: { code: number; message: string };
  ok_response?: { headers: HeaderOption[] };
  denied_response?: { status: { code: string }; headers: HeaderOption[]; body: string };
};

const WORKLOAD = 'spiffe://cluster.local/ns/shop/sa/cart';
const CHECKOUT = 'spiffe://cluster.local/ns/shop/sa/checkout';
const ROUTES = {
  version: 1,
  routes: [
    { method: 'DELETE', path: '/todos/{id}', action: 'delete', resource: { type: 'todo', id: 'todo:{id}' } },
    { method: 'GET', path: '/todos/{id}', action: 'read', resource: { type: 'todo', id: 'todo:{id}' } },
  ],
};

interface CheckOptions {
  token?: string;
  headers?: Record<string, string>;
  rawHeaders?: boolean;
  principal?: string;
  extensions?: Record<string, string>;
}

/** A CheckRequest as Envoy builds it. */
function envoyCheck(method: string, authority: string, path: string, options: CheckOptions = {}) {
  const headers: Record<string, string> = {
    ':method': method,
    ':path': path,
    ':authority': authority,
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    ...options.headers,
  };
  return {
    attributes: {
      source: {
        address: { socket_address: { address: '10.1.2.3', port_value: 40000 } },
        ...(options.principal ? { principal: options.principal } : {}),
      },
      request: {
        http: {
          method,
          host: authority,
          path,
          scheme: 'https',
          ...(options.rawHeaders
            ? {
                header_map: {
                  headers: Object.entries(headers).map(([key, value]) => ({
                    key,
                    raw_value: Buffer.from(value, 'utf8'),
                  })),
                },
              }
            : { headers }),
        },
      },
      ...(options.extensions ? { context_extensions: options.extensions } : {}),
    },
  };
}

function headerOf(headers: HeaderOption[] | undefined, key: string): string | undefined {
  return headers?.find((h) => h.header.key === key)?.header.value;
}

describe('Envoy ext_authz as an operator configures it (standalone)', () => {
  let product: StandaloneUnderTest;
  let clients: ReturnType<typeof grpcClients>;
  let address: string;
  let alice: string;
  let routesDir: string;

  const check = async (request: unknown) =>
    (await clients.check(request as Record<string, unknown>)) as CheckResponse;

  beforeAll(async () => {
    routesDir = mkdtempSync(join(tmpdir(), 'zt-routes-'));
    const routesFile = join(routesDir, 'routes.json');
    writeFileSync(routesFile, JSON.stringify(ROUTES));
    product = await startStandaloneForTest({
      ROUTES_FILE: routesFile,
      EXT_AUTHZ_TRUST_PEER_PRINCIPAL: 'true',
    });
    address = `127.0.0.1:${product.process.app.get(DecisionGrpcServer).port}`;
    clients = grpcClients(address);
    const admin = await product.issuer.mint({ sub: 'pat@company.com', roles: ['policy_admin'] });
    const policies = [
      {
        id: 'pol_public',
        subjects: ['*'],
        resources: ['api.example.com/public/*'],
        actions: ['GET'],
        effect: 'allow',
      },
      {
        id: 'pol_todo_delete',
        subjects: ['group:engineering'],
        resources: ['todo:*'],
        actions: ['delete'],
        effect: 'allow',
      },
      {
        id: 'pol_gold',
        subjects: ['group:engineering'],
        resources: ['api.example.com/reports/*'],
        actions: ['GET'],
        effect: 'allow',
        conditions: { expression: 'context.envoy.context_extensions.tier == "gold"' },
      },
      {
        id: 'pol_cart',
        subjects: [`workload:${WORKLOAD}`],
        resources: ['inventory.shop/stock/*'],
        actions: ['GET'],
        effect: 'allow',
      },
    ];
    let revision = 0;
    for (const p of policies) {
      const r = await call(product.url, 'POST', '/v1/zt-policy/policies', {
        token: admin,
        body: { name: p.id, ...p },
      });
      expect(r.status).toBe(201);
      revision = Number(r.headers.get('zt-policy-revision'));
    }
    alice = await product.issuer.mint({ sub: 'alice@company.com', roles: [], groups: ['engineering'] });
    await clients.decide(
      { action: 'GET', resource: { id: 'api.example.com/' }, min_revision: String(revision) },
      { authorization: `Bearer ${alice}` },
    );
  });

  afterAll(async () => {
    clients?.close();
    await product?.stop();
    rmSync(routesDir, { recursive: true, force: true });
  });

  it('allows the public path and denies traversal out of it, raw or percent-encoded', async () => {
    expect(
      (await check(envoyCheck('GET', 'api.example.com', '/public/docs', { token: alice }))).status.code,
    ).toBe(0);
    for (const path of ['/public/../admin/users', '/public/%2e%2e/admin/users', '/public/.%2E/admin/users']) {
      const r = await check(envoyCheck('GET', 'api.example.com', path, { token: alice }));
      expect({ path, code: r.status.code }).toEqual({ path, code: 7 });
      expect(r.denied_response?.status.code).toBe('Forbidden');
    }
  });

  it('denies an ambiguous path with 403 naming the reason, whatever the token', async () => {
    for (const path of [
      '/public/..%2Fadmin',
      '/public/%2E%2E%5Cadmin',
      '/public/%252e%252e/admin',
      '/public/..;/admin',
    ]) {
      for (const token of [alice, undefined]) {
        const r = await check(envoyCheck('GET', 'api.example.com', path, { token }));
        expect(r.status.code).toBe(7);
        expect(r.ok_response).toBeUndefined();
        expect(headerOf(r.denied_response?.headers, 'content-type')).toBe('application/problem+json');
        expect(JSON.parse(r.denied_response!.body)).toMatchObject({
          status: 403,
          errors: [{ pointer: '/attributes/request/http/path' }],
        });
      }
    }
  });

  it('maps through the route table: DELETE /todos/{id} is delete on todo:{id}', async () => {
    const allowed = await check(envoyCheck('DELETE', 'api.example.com', '/todos/42', { token: alice }));
    expect(allowed.status.code).toBe(0);
    // GET /todos/{id} is `read`, which no policy allows; the fixed mapping would have made it GET on http.
    const read = await check(envoyCheck('GET', 'api.example.com', '/todos/42', { token: alice }));
    expect(read.status.code).toBe(7);
    const routes = await call(product.url, 'GET', '/v1/zt-policy/routes', {
      token: await product.issuer.mint({ sub: 'pat@company.com', roles: ['policy_admin'] }),
    });
    expect(routes.status).toBe(200);
    expect(routes.body).toEqual(ROUTES);
  });

  it('decides with context_extensions (per-route facts) in the context', async () => {
    const gold = await check(
      envoyCheck('GET', 'api.example.com', '/reports/q3', { token: alice, extensions: { tier: 'gold' } }),
    );
    expect(gold.status.code).toBe(0);
    const silver = await check(
      envoyCheck('GET', 'api.example.com', '/reports/q3', { token: alice, extensions: { tier: 'silver' } }),
    );
    expect(silver.status.code).toBe(7);
  });

  it('decides a call without a token for the mTLS peer identity, as a workload', async () => {
    const cart = await check(envoyCheck('GET', 'inventory.shop', '/stock/sku-1', { principal: WORKLOAD }));
    expect(cart.status.code).toBe(0);
    expect(headerOf(cart.ok_response?.headers, 'x-zt-decision-id')).toMatch(/^[0-9a-f-]{36}$/);
    const other = await check(
      envoyCheck('GET', 'inventory.shop', '/stock/sku-1', {
        principal: 'spiffe://cluster.local/ns/shop/sa/web',
      }),
    );
    expect(other.status.code).toBe(7);
    // A bearer token wins over the peer: alice is not the cart workload.
    const user = await check(
      envoyCheck('GET', 'inventory.shop', '/stock/sku-1', { principal: WORKLOAD, token: alice }),
    );
    expect(user.status.code).toBe(7);
    // Joined with the principal directory: registered under its SPIFFE id (percent-encoded in the
    // path), it gains a group.
    const admin = await product.issuer.mint({ sub: 'pat@company.com', roles: ['policy_admin'] });
    const orders = await call(product.url, 'POST', '/v1/zt-policy/policies', {
      token: admin,
      body: {
        name: 'pol_checkout',
        subjects: ['group:checkout'],
        resources: ['inventory.shop/orders/*'],
        actions: ['POST'],
        effect: 'allow',
      },
    });
    expect(orders.status).toBe(201);
    const put = await call(product.url, 'PUT', `/v1/zt-policy/principals/${encodeURIComponent(CHECKOUT)}`, {
      token: admin,
      body: { type: 'service', groups: ['checkout'] },
    });
    expect(put.status).toBe(200);
    await clients.decide(
      { action: 'GET', resource: { id: 'x' }, min_revision: String(put.headers.get('zt-policy-revision')) },
      { authorization: `Bearer ${alice}` },
    );
    const order = await check(envoyCheck('POST', 'inventory.shop', '/orders/o-1', { principal: CHECKOUT }));
    expect(order.status.code).toBe(0);
    const unregistered = await check(
      envoyCheck('POST', 'inventory.shop', '/orders/o-1', { principal: WORKLOAD }),
    );
    expect(unregistered.status.code).toBe(7);
    // Neither: 401 as before.
    expect((await check(envoyCheck('GET', 'inventory.shop', '/stock/sku-1'))).status.code).toBe(16);
  });

  it('accepts header_map (encode_raw_headers: true): the token and the path are read from it', async () => {
    const allowed = await check(
      envoyCheck('DELETE', 'api.example.com', '/todos/7', { token: alice, rawHeaders: true }),
    );
    expect(allowed.status.code).toBe(0);
    const traversal = await check(
      envoyCheck('GET', 'api.example.com', '/public/%2e%2e/admin', { token: alice, rawHeaders: true }),
    );
    expect(traversal.status.code).toBe(7);
    const noToken = await check(envoyCheck('DELETE', 'api.example.com', '/todos/7', { rawHeaders: true }));
    expect(noToken.status.code).toBe(16);
  });

  it('serves grpc.health.v1.Health, SERVING while ready, for the server and each service', async () => {
    const definition = protoLoader.loadSync(healthProtoPath, { keepCase: true, enums: String });
    const Health = (
      grpc.loadPackageDefinition(definition) as unknown as {
        grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } };
      }
    ).grpc.health.v1.Health;
    const client = new Health(address, grpc.credentials.createInsecure());
    const status = (service: string) =>
      new Promise<unknown>((resolve, reject) =>
        (client as unknown as Record<string, (...a: unknown[]) => void>).Check(
          { service },
          (error: grpc.ServiceError | null, r: { status: string }) =>
            error ? reject(error) : resolve(r.status),
        ),
      );
    try {
      // Health follows readiness every 2 s: the product has just become ready.
      const deadline = Date.now() + 10_000;
      while ((await status('')) !== 'SERVING' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(await status('')).toBe('SERVING');
      expect(await status('envoy.service.auth.v3.Authorization')).toBe('SERVING');
      expect(await status('zt.decision.v1.DecisionService')).toBe('SERVING');
      await expect(status('no.such.Service')).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    } finally {
      client.close();
    }
  });

  it('serves reflection: list_services names ext_authz, Decide and health, as grpcurl asks', async () => {
    const definition = protoLoader.loadSync(
      require.resolve('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto'),
      { keepCase: true },
    );
    const Reflection = (
      grpc.loadPackageDefinition(definition) as unknown as {
        grpc: { reflection: { v1: { ServerReflection: grpc.ServiceClientConstructor } } };
      }
    ).grpc.reflection.v1.ServerReflection;
    const client = new Reflection(address, grpc.credentials.createInsecure());
    try {
      const stream = (
        client as unknown as Record<string, () => grpc.ClientDuplexStream<unknown, unknown>>
      ).ServerReflectionInfo();
      const answer = new Promise<{ list_services_response: { service: { name: string }[] } }>(
        (resolve, reject) => {
          stream.on('data', (r) => resolve(r as { list_services_response: { service: { name: string }[] } }));
          stream.on('error', reject);
        },
      );
      stream.write({ list_services: '' });
      const names = (await answer).list_services_response.service.map((s) => s.name);
      stream.end();
      expect(names).toEqual(
        expect.arrayContaining([
          'envoy.service.auth.v3.Authorization',
          'zt.decision.v1.DecisionService',
          'grpc.health.v1.Health',
        ]),
      );
    } finally {
      client.close();
    }
  });
});
