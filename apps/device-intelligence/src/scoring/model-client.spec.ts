import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ModelCallError,
  ModelClient,
  ModelClientOptions,
  ModelRequest,
  parseModelAnswer,
} from './model-client';
import type { AddressResolver } from '../integration/model-url';
import { modelFeatures } from './model-features';

/** A real HTTP model standing in for the external one; each test decides how it misbehaves. */
interface FakeModel {
  url: string;
  requests: number;
  inFlight: number;
  maxInFlight: number;
  aborted: number;
  close(): Promise<void>;
}

type Behaviour = (req: IncomingMessage, res: ServerResponse, n: number, body: unknown) => void;

async function fakeModel(behave: Behaviour): Promise<FakeModel> {
  const model = { requests: 0, inFlight: 0, maxInFlight: 0, aborted: 0 } as FakeModel;
  const server: Server = createServer((req, res) => {
    model.requests += 1;
    model.inFlight += 1;
    model.maxInFlight = Math.max(model.maxInFlight, model.inFlight);
    res.on('close', () => {
      model.inFlight -= 1;
      if (!res.writableFinished) model.aborted += 1;
    });
    const chunks: Buffer[] = [];
    const n = model.requests;
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => behave(req, res, n, JSON.parse(Buffer.concat(chunks).toString() || 'null')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  model.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/score`;
  model.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return model;
}

/** Waits for something the model server will observe shortly (a closed socket); fails if it never does. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const request: ModelRequest = {
  contract: 'zt.device-risk.v1',
  device_id: 'laptop-1',
  features: modelFeatures({ managed: true }),
  signals: { managed: true },
  observed_at: '2026-11-23T10:00:00.000Z',
};

function client(url: string, over: Partial<ModelClientOptions> = {}): ModelClient {
  return new ModelClient({
    url,
    timeoutMs: 300,
    retries: 2,
    maxConcurrency: 4,
    maxQueue: 4,
    breakerFailures: 100,
    halfOpenAfterMs: 60_000,
    // The fake models listen on loopback, as a model beside a standalone trial would.
    hosts: { allowedHosts: [], allowPrivate: true },
    ...over,
  });
}

async function reason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'no failure';
  } catch (error) {
    return error instanceof ModelCallError ? error.reason : `unexpected ${String(error)}`;
  }
}

describe('ModelClient against misbehaving models', () => {
  let model: FakeModel | undefined;
  afterEach(async () => {
    await model?.close();
    model = undefined;
  });

  it('returns a valid answer and sends the documented contract', async () => {
    let received: unknown;
    model = await fakeModel((req, res, _n, body) => {
      received = { contentType: req.headers['content-type'], body };
      json(res, 200, { score: 0.31, model: 'm', version: '2', explanation: ['x'] });
    });
    await expect(client(model.url).score(request)).resolves.toEqual({
      score: 0.31,
      model: 'm@2',
      explanation: ['x'],
    });
    expect(received).toEqual({ contentType: 'application/json', body: request });
  });

  it('gives up on a model that hangs, and aborts the hanging call', async () => {
    model = await fakeModel(() => undefined);
    await expect(reason(client(model.url).score(request))).resolves.toBe('timeout');
    const hanging = model;
    await until(() => hanging.aborted === 1);
    expect(hanging.inFlight).toBe(0);
  });

  it('waits for a slow model that answers within the budget', async () => {
    model = await fakeModel((_req, res) => setTimeout(() => json(res, 200, { score: 0.4 }), 150));
    await expect(client(model.url, { timeoutMs: 2_000 }).score(request)).resolves.toMatchObject({
      score: 0.4,
    });
    expect(model.requests).toBe(1);
  });

  it('gives up on a model slower than the budget', async () => {
    model = await fakeModel((_req, res) => setTimeout(() => json(res, 200, { score: 0.4 }), 1_000));
    await expect(reason(client(model.url, { timeoutMs: 100 }).score(request))).resolves.toBe('timeout');
  });

  it('retries a model that errors, then reports it unreachable', async () => {
    model = await fakeModel((_req, res) => json(res, 503, { error: 'down' }));
    await expect(reason(client(model.url).score(request))).resolves.toBe('unreachable');
    expect(model.requests).toBe(3);
  });

  it('succeeds when a retry reaches a recovered model', async () => {
    model = await fakeModel((_req, res, n) =>
      n === 1 ? json(res, 500, {}) : json(res, 200, { score: 0.1 }),
    );
    await expect(client(model.url).score(request)).resolves.toMatchObject({ score: 0.1 });
    expect(model.requests).toBe(2);
  });

  it.each([
    ['not JSON', (res: ServerResponse) => res.end('<html>oops</html>')],
    ['no score', (res: ServerResponse) => json(res, 200, { risk: 'high' })],
    ['a score above 1', (res: ServerResponse) => json(res, 200, { score: 7 })],
    ['a huge answer', (res: ServerResponse) => json(res, 200, { score: 0.1, pad: 'x'.repeat(200_000) })],
  ])('refuses an answer with %s and does not retry it', async (_what, answer) => {
    model = await fakeModel((_req, res) => answer(res));
    await expect(reason(client(model.url).score(request))).resolves.toBe('invalid_answer');
    expect(model.requests).toBe(1);
  });

  it('does not retry a 4xx refusal', async () => {
    model = await fakeModel((_req, res) => json(res, 400, { error: 'bad features' }));
    await expect(reason(client(model.url).score(request))).resolves.toBe('http_error');
    expect(model.requests).toBe(1);
  });

  it('keeps calls in flight and waiting bounded under a burst against a hanging model', async () => {
    model = await fakeModel(() => undefined);
    const limited = client(model.url, { maxConcurrency: 2, maxQueue: 3, retries: 0 });
    const outcomes = await Promise.all(Array.from({ length: 40 }, () => reason(limited.score(request))));
    expect(model.maxInFlight).toBeLessThanOrEqual(2);
    expect(outcomes.filter((o) => o === 'overloaded')).toHaveLength(35);
    expect(outcomes.filter((o) => o === 'timeout')).toHaveLength(5);
    expect(model.requests).toBeLessThanOrEqual(5);
  });

  it('opens the circuit after consecutive failures and stops calling the model', async () => {
    model = await fakeModel((_req, res) => json(res, 500, {}));
    const breaking = client(model.url, { breakerFailures: 3, retries: 0 });
    for (let i = 0; i < 3; i++) await expect(reason(breaking.score(request))).resolves.toBe('unreachable');
    expect(breaking.circuit).toBe('open');
    await expect(reason(breaking.score(request))).resolves.toBe('circuit_open');
    expect(model.requests).toBe(3);
  });

  it('reports an unreachable model', async () => {
    model = await fakeModel(() => undefined);
    const { url } = model;
    await model.close();
    model = undefined;
    await expect(reason(client(url, { retries: 0 }).score(request))).resolves.toBe('unreachable');
  });
});

describe('ModelClient host rules, checked at every call', () => {
  const strict = { allowedHosts: [], allowPrivate: false };
  let model: FakeModel;
  beforeEach(async () => {
    model = await fakeModel((_req, res) => json(res, 200, { score: 0.2 }));
  });
  afterEach(() => model.close());

  it('refuses a URL the settings in force forbid, without calling the model or opening the breaker', async () => {
    const refused = client(model.url, { hosts: strict, breakerFailures: 1 });
    expect(refused.forbidden).toMatch(/127\.0\.0\.1 is a loopback address.*MODEL_ALLOW_PRIVATE_HOSTS=true/);
    await expect(reason(refused.score(request))).resolves.toBe('forbidden_host');
    await expect(reason(refused.score(request))).resolves.toBe('forbidden_host');
    expect(refused.circuit).toBe('closed');
    expect(model.requests).toBe(0);
  });

  it('refuses a URL outside MODEL_ALLOWED_HOSTS', async () => {
    const refused = client(model.url, { hosts: { allowedHosts: ['ml.example.com'], allowPrivate: false } });
    await expect(refused.score(request)).rejects.toThrow('host 127.0.0.1 is not in MODEL_ALLOWED_HOSTS');
    expect(model.requests).toBe(0);
  });

  it('refuses a name that resolves to a loopback address at call time (DNS rebinding)', async () => {
    const port = new URL(model.url).port;
    const resolved: string[] = [];
    const rebinding: AddressResolver = (host, _options, callback) => {
      resolved.push(host);
      callback(null, [{ address: '127.0.0.1', family: 4 }]);
    };
    const refused = client(`http://rebind.test:${port}/score`, { hosts: strict, resolve: rebinding });
    // The name alone passes; what it resolves to at call time does not.
    expect(refused.forbidden).toBeUndefined();
    await expect(refused.score(request)).rejects.toThrow(
      'host rebind.test resolves to 127.0.0.1, a loopback address',
    );
    await expect(reason(refused.score(request))).resolves.toBe('forbidden_host');
    // Resolved at each call (no retry of a refusal), and the model never saw a request.
    expect(resolved).toEqual(['rebind.test', 'rebind.test']);
    expect(model.requests).toBe(0);
  });
});

describe('parseModelAnswer', () => {
  it('bounds explanations and names the model with its version', () => {
    const answer = parseModelAnswer({ score: 0, model: 'iforest', version: '3', explanation: ['a', 1, 'b'] });
    expect(answer).toEqual({ score: 0, model: 'iforest@3', explanation: ['a', 'b'] });
    expect(parseModelAnswer({ score: 1 }).model).toBe('unnamed');
  });
});
