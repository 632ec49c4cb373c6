import Fastify, { FastifyInstance } from 'fastify';
import { AdmissionControl } from './admission';
import { installAdmission } from './admission-hook';
import { installCorrelationId } from './correlation';

/** A Fastify instance behind `admission` whose /slow route answers only when told to. */
async function serverWith(
  admission: AdmissionControl,
): Promise<{ app: FastifyInstance; finish: () => void }> {
  const app = Fastify();
  installCorrelationId(app);
  installAdmission(app, admission);
  let finish: () => void = () => undefined;
  const parked = new Promise<void>((resolve) => (finish = resolve));
  app.post('/slow', async () => {
    await parked;
    return { ok: true };
  });
  app.post('/fast', () => Promise.resolve({ ok: true }));
  for (const path of ['/healthz', '/readyz', '/metrics'])
    app.get(path, () => Promise.resolve({ status: 'ok' }));
  await app.ready();
  return { app, finish };
}

describe('installAdmission', () => {
  it('answers 503 OVERLOADED problem+json with Retry-After past the limit, and admits again once load drops', async () => {
    const admission = new AdmissionControl({ maxInFlight: 1, maxEventLoopDelayMs: 0 });
    const { app, finish } = await serverWith(admission);
    const slow = app.inject({ method: 'POST', url: '/slow', payload: {} });
    // Let the first request reach its handler and hold the one slot.
    while (admission.inFlight === 0) await new Promise((resolve) => setImmediate(resolve));
    const refused = await app.inject({
      method: 'POST',
      url: '/fast?x=1',
      payload: {},
      headers: { 'x-correlation-id': 'corr-1' },
    });
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.headers['x-correlation-id']).toBe('corr-1');
    expect(refused.json()).toMatchObject({
      status: 503,
      code: 'OVERLOADED',
      title: 'Service Unavailable',
      instance: '/fast',
      correlationId: 'corr-1',
    });
    finish();
    expect((await slow).statusCode).toBe(200);
    expect(admission.inFlight).toBe(0);
    expect((await app.inject({ method: 'POST', url: '/fast', payload: {} })).statusCode).toBe(200);
    await app.close();
  });

  it('never refuses or counts the health endpoints', async () => {
    const admission = new AdmissionControl({ maxInFlight: 1, maxEventLoopDelayMs: 5 });
    const { app } = await serverWith(admission);
    admission.recordEventLoopDelay(1_000);
    admission.recordEventLoopDelay(1_000);
    for (const url of ['/healthz', '/readyz', '/metrics', '/healthz?probe=1']) {
      expect((await app.inject({ method: 'GET', url })).statusCode).toBe(200);
    }
    expect(admission.inFlight).toBe(0);
    expect((await app.inject({ method: 'POST', url: '/fast', payload: {} })).statusCode).toBe(503);
    await app.close();
  });

  it('adds nothing when both limits are off', async () => {
    const admission = new AdmissionControl({ maxInFlight: 0, maxEventLoopDelayMs: 0 });
    const { app } = await serverWith(admission);
    expect((await app.inject({ method: 'POST', url: '/fast', payload: {} })).statusCode).toBe(200);
    expect(admission.inFlight).toBe(0);
    await app.close();
  });
});
