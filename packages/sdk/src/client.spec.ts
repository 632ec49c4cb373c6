import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ZtClient } from './client.js';
import { ZtProblemError, ZtUnavailableError } from './errors.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const ALLOW = {
  decision: 'allow',
  decision_id: 'd-1',
  revision: 7,
  decidingPolicies: [],
  reasons: [],
  userReasons: [],
  obligations: [],
  audit: [],
  candidates: [],
};

/** A small HTTP server the test scripts answer by answer; it records what it was sent. */
async function serve(
  handlers: Handler[],
): Promise<{ url: string; seen: { req: IncomingMessage; body: string }[]; server: Server }> {
  const seen: { req: IncomingMessage; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ req, body });
      const handler = handlers[Math.min(seen.length - 1, handlers.length - 1)];
      handler(req, res, body);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Handler =>
  (_req, res) => {
    res.writeHead(status, {
      'content-type': status < 300 ? 'application/json' : 'application/problem+json',
      ...headers,
    });
    res.end(JSON.stringify(body));
  };

const problem = (status: number, code: string) => ({
  type: 'about:blank',
  title: code,
  status,
  detail: code,
  code,
});

describe('ZtClient', () => {
  const servers: Server[] = [];
  const clients: ZtClient[] = [];
  const client = (url: string, extra: Partial<ConstructorParameters<typeof ZtClient>[0]> = {}) => {
    const made = new ZtClient({ baseUrl: url, token: 't0ken', retry: { baseDelayMs: 1 }, ...extra });
    clients.push(made);
    return made;
  };
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(servers.splice(0).map((s) => new Promise((done) => s.close(done))));
  });

  it('sends a typed decision with the bearer token and reads the answer', async () => {
    const pdp = await serve([json(200, ALLOW)]);
    servers.push(pdp.server);
    const decision = await client(pdp.url).decide({ action: 'read', resource: { id: 'doc-1' } });
    expect(decision).toMatchObject({ decision: 'allow', decision_id: 'd-1', revision: 7 });
    expect(pdp.seen[0].req.url).toBe('/v1/zt-policy/decisions');
    expect(pdp.seen[0].req.headers.authorization).toBe('Bearer t0ken');
    expect(JSON.parse(pdp.seen[0].body)).toEqual({ action: 'read', resource: { id: 'doc-1' } });
  });

  it('retries a decision after 503 with Retry-After and honours the wait', async () => {
    const pdp = await serve([
      json(503, problem(503, 'REVISION_NOT_REACHED'), { 'retry-after': '0' }),
      json(200, ALLOW),
    ]);
    servers.push(pdp.server);
    await expect(client(pdp.url).decide({ action: 'read', resource: { id: 'x' } })).resolves.toMatchObject({
      decision: 'allow',
    });
    expect(pdp.seen).toHaveLength(2);
  });

  it('does not wait for a Retry-After longer than allowed: the refusal comes back', async () => {
    const pdp = await serve([json(429, problem(429, 'RATE_LIMITED'), { 'retry-after': '30' })]);
    servers.push(pdp.server);
    const error = await client(pdp.url)
      .decide({ action: 'read', resource: { id: 'x' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZtProblemError);
    expect(error).toMatchObject({ status: 429, retryAfterSeconds: 30, problem: { code: 'RATE_LIMITED' } });
    expect(pdp.seen).toHaveLength(1);
  });

  it('never repeats a policy creation the server may have applied (500)', async () => {
    const pdp = await serve([json(500, problem(500, 'INTERNAL'))]);
    servers.push(pdp.server);
    const policy = {
      name: 'p',
      subjects: ['*'],
      resources: ['*'],
      actions: ['read'],
      effect: 'allow' as const,
    };
    await expect(client(pdp.url).policies.create(policy)).rejects.toBeInstanceOf(ZtProblemError);
    expect(pdp.seen).toHaveLength(1);
  });

  it('answers ZtUnavailableError(deadline) when the server is slower than the deadline', async () => {
    const pdp = await serve([(_req, res) => setTimeout(() => json(200, ALLOW)(_req, res, ''), 500)]);
    servers.push(pdp.server);
    const started = Date.now();
    const error = await client(pdp.url, { timeoutMs: 100 })
      .decide({ action: 'read', resource: { id: 'x' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZtUnavailableError);
    expect((error as ZtUnavailableError).reason).toBe('deadline');
    expect(Date.now() - started).toBeLessThan(400);
  });

  it('opens the circuit after consecutive failures and then refuses without calling', async () => {
    const pdp = await serve([json(500, problem(500, 'INTERNAL'))]);
    servers.push(pdp.server);
    const flaky = client(pdp.url, { breaker: { consecutiveFailures: 2, halfOpenAfterMs: 60_000 } });
    const ask = () => flaky.decide({ action: 'read', resource: { id: 'x' } }).catch((e: unknown) => e);
    await ask();
    await ask();
    const refused = await ask();
    expect(refused).toBeInstanceOf(ZtUnavailableError);
    expect((refused as ZtUnavailableError).reason).toBe('circuit_open');
    expect(pdp.seen).toHaveLength(2);
  });

  it('reports an unreachable server as ZtUnavailableError(network) after its retries', async () => {
    const pdp = await serve([json(200, ALLOW)]);
    await new Promise((done) => pdp.server.close(done));
    const error = await client(pdp.url)
      .decide({ action: 'read', resource: { id: 'x' } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ZtUnavailableError', reason: 'network' });
  });

  it('sends the revision of its own last write as Zt-Min-Revision on its next decision', async () => {
    const written = {
      id: 'alice',
      type: 'user',
      roles: [],
      groups: [],
      attributes: {},
      version: 1,
      revision: 12,
    };
    const pdp = await serve([json(200, written), json(200, ALLOW)]);
    servers.push(pdp.server);
    const zt = client(pdp.url);
    const put = await zt.principals.put('alice', { roles: [] });
    expect(put.revision).toBe(12);
    await zt.decide({ action: 'read', resource: { id: 'x' } });
    expect(pdp.seen[0].req.url).toBe('/v1/zt-policy/principals/alice');
    expect(pdp.seen[1].req.headers['zt-min-revision']).toBe('12');
  });

  it('fills path parameters, encoded, and repeats array query parameters', async () => {
    const pdp = await serve([json(200, [])]);
    servers.push(pdp.server);
    await client(pdp.url).resources.list({ type: 'doc', property: ['a=1', 'b=2'] });
    await client(pdp.url)
      .resources.get('doc', 'a/b')
      .catch(() => undefined);
    expect(pdp.seen[0].req.url).toBe('/v1/zt-policy/resources?type=doc&property=a%3D1&property=b%3D2');
    expect(pdp.seen[1].req.url).toBe('/v1/zt-policy/resources/doc/a%2Fb');
  });
});
