import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@zt/config';
import { RunningProcess, startDistributed } from '@zt/runtime';
import { createLocalJWKSet, JSONWebKeySet, jwtVerify } from 'jose';
import { deviceIntelligenceService } from '../../apps/device-intelligence/src/index';
import { call, eventually } from '../support/http';
import { createTestDatabase, INFRA } from '../support/distributed';
import { startTestIssuer, TestIssuer } from '../support/test-issuer';

const VERIFICATION = 'https://schemas.openid.net/secevent/ssf/event-type/verification';

/**
 * Two device-intelligence replicas on the real PostgreSQL (migrations included) sharing one
 * SSF_SIGNING_KEY_FILE: a stream made and verified on one is polled on the other, and the SET
 * verifies against the other's JWKS.
 */
describe('SSF transmitter across two device-intelligence replicas', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zt-it-ssf-'));
  let issuer: TestIssuer;
  let database: { url: string; drop(): Promise<void> };
  const replicas: RunningProcess[] = [];
  let token: string;

  beforeAll(async () => {
    issuer = await startTestIssuer();
    database = await createTestDatabase();
    const env = {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: INFRA.kafkaBrokers,
      TOPIC_PREFIX: `it-ssf-${randomBytes(4).toString('hex')}.`,
      JWKS_URL: issuer.jwksUrl,
      JWT_ISSUER: issuer.issuer,
      LOG_LEVEL: 'warn',
      SSF_SIGNING_KEY_FILE: join(dir, 'ssf-key.jwk.json'),
      PUBLIC_BASE_URL: 'https://zt.example',
    };
    for (const name of ['di-a', 'di-b']) {
      const replica = await startDistributed(
        deviceIntelligenceService,
        loadConfig({ ...env, PORT: '0', HOST: '127.0.0.1', INSTANCE_ID: name }),
      );
      replicas.push(replica);
      await eventually(
        async () => ((await call(replica.url, 'GET', '/readyz')).status === 200 ? true : undefined),
        90_000,
        `${name} to be ready`,
      );
    }
    token = await issuer.mint({ sub: 'receiver-it', roles: ['ssf_receiver'] });
  }, 180_000);

  afterAll(async () => {
    for (const r of replicas) await r.close();
    await database?.drop();
    await issuer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers on one replica what was queued on the other, signed with the shared key', async () => {
    const [a, b] = replicas.map((r) => r.url) as [string, string];
    const created = await call<{ stream_id: string; iss: string }>(a, 'POST', '/ssf/v1/streams', {
      token,
      body: { delivery: { method: 'urn:ietf:rfc:8936' } },
    });
    expect(created.status).toBe(201);
    expect(created.body.iss).toBe('https://zt.example');
    const streamId = created.body.stream_id;
    expect(
      (await call(a, 'POST', '/ssf/v1/verify', { token, body: { stream_id: streamId, state: 'it' } })).status,
    ).toBe(204);

    const polled = await call<{ sets: Record<string, string> }>(b, 'POST', `/ssf/v1/poll/${streamId}`, {
      token,
      body: { returnImmediately: true },
    });
    const [jti, set] = Object.entries(polled.body.sets)[0] ?? ['', ''];
    const jwksA = (await call<JSONWebKeySet>(a, 'GET', '/ssf/v1/jwks.json')).body;
    const jwksB = (await call<JSONWebKeySet>(b, 'GET', '/ssf/v1/jwks.json')).body;
    expect(jwksB).toEqual(jwksA);
    const { payload } = await jwtVerify(set, createLocalJWKSet(jwksB), {
      issuer: 'https://zt.example',
      audience: 'receiver-it',
      typ: 'secevent+jwt',
    });
    expect(payload).toMatchObject({ jti, events: { [VERIFICATION]: { state: 'it' } } });

    const subject = { format: 'opaque', id: 'laptop-1' };
    expect(
      (await call(b, 'POST', '/ssf/v1/subjects:add', { token, body: { stream_id: streamId, subject } }))
        .status,
    ).toBe(200);
    expect(
      (await call(a, 'POST', '/ssf/v1/subjects:remove', { token, body: { stream_id: streamId, subject } }))
        .status,
    ).toBe(204);
    const acked = await call(a, 'POST', `/ssf/v1/poll/${streamId}`, {
      token,
      body: { ack: [jti], returnImmediately: true },
    });
    expect(acked.body).toEqual({ sets: {}, moreAvailable: false });
  });
});
