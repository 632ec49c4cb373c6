import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { call, eventually } from '../support/http';
import { createTestDatabase, INFRA, ServiceProcess, startServiceProcess } from '../support/distributed';
import { startTestIssuer, TestIssuer } from '../support/test-issuer';
import { runThinFlow } from '../support/thin-flow';
import { RiskModel } from '../../examples/risk-model/src/risk-model';
import { createRiskModelServer } from '../../examples/risk-model/src/server';

describe('distributed thin flow: four processes on real Kafka, Redis and PostgreSQL', () => {
  let issuer: TestIssuer;
  let database: { url: string; drop(): Promise<void> };
  const services: Record<string, ServiceProcess> = {};
  let topicPrefix: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    issuer = await startTestIssuer();
    database = await createTestDatabase();
    env = {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: INFRA.kafkaBrokers,
      REDIS_URL: INFRA.redisUrl,
      // Topics and keys of this run only, so runs never see each other's events.
      TOPIC_PREFIX: (topicPrefix = `it-${randomBytes(4).toString('hex')}.`),
      REDIS_KEY_PREFIX: `it-${randomBytes(4).toString('hex')}:`,
      JWKS_URL: issuer.jwksUrl,
      JWT_ISSUER: issuer.issuer,
      LOG_LEVEL: 'warn',
      // The fake risk model listens on loopback, which distributed mode refuses by default.
      MODEL_ALLOWED_HOSTS: '127.0.0.1',
    };
    // policy-admin first: it creates the schema its neighbours' topics carry.
    for (const name of ['policy-admin', 'decision', 'device-intelligence', 'audit']) {
      services[name] = await startServiceProcess(name, env);
    }
  }, 300_000);

  afterAll(async () => {
    await Promise.all(Object.values(services).map((s) => s.stop()));
    await database?.drop();
    await issuer?.close();
  }, 60_000);

  it('stores a policy, enforces it through Kafka and audits change and decisions', async () => {
    await runThinFlow(
      {
        policyAdmin: services['policy-admin'].url,
        decision: services.decision.url,
        audit: services.audit.url,
      },
      {
        admin: await issuer.mint({ sub: 'admin@company.com', roles: ['policy_admin'] }),
        auditor: await issuer.mint({ sub: 'auditor@company.com', roles: ['auditor'] }),
        scientist: await issuer.mint({ sub: 'pep@company.com', roles: ['pep'] }),
      },
    );
  }, 120_000);

  it('rejects a token from an issuer it does not trust', async () => {
    const stranger = await startTestIssuer(issuer.issuer);
    try {
      const token = await stranger.mint({ sub: 'mallory@company.com', roles: ['infra_admin'] });
      const r = await fetch(`${services['policy-admin'].url}/v1/zt-policy/policies`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(r.status).toBe(401);
    } finally {
      await stranger.close();
    }
  });

  it('keeps audit records append-only in the database itself', async () => {
    const db = new Client({ connectionString: database.url });
    await db.connect();
    try {
      const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM audit.records');
      expect(Number(rows[0].n)).toBeGreaterThan(0);
      await expect(db.query(`UPDATE audit.records SET actor = 'mallory' WHERE seq = 1`)).rejects.toThrow(
        /append-only/,
      );
      await expect(db.query('DELETE FROM audit.records WHERE seq = 1')).rejects.toThrow(/append-only/);
      await expect(db.query('TRUNCATE audit.records')).rejects.toThrow(/append-only/);
      // Claiming to prune does not open the table either: only audit.prune_through can, up to a checkpoint.
      await db.query('BEGIN');
      await db.query(`SET LOCAL zt.audit.pruning = 'on'`);
      await expect(db.query('DELETE FROM audit.records WHERE seq = 1')).rejects.toThrow(/append-only/);
      await db.query('ROLLBACK');
      await expect(db.query('SELECT audit.prune_through(999999)')).rejects.toThrow(/no signed checkpoint/);
      // The service's least-privilege role cannot even try.
      await db.query('BEGIN');
      await db.query('SET LOCAL ROLE zt_audit_writer');
      await expect(db.query(`UPDATE audit.records SET actor = 'mallory' WHERE seq = 1`)).rejects.toThrow(
        /permission denied/,
      );
      await db.query('ROLLBACK');
      await db.query('BEGIN');
      await db.query('SET LOCAL ROLE zt_audit_writer');
      await expect(db.query('DELETE FROM audit.records')).rejects.toThrow(/permission denied/);
      await db.query('ROLLBACK');
      await db.query('BEGIN');
      await db.query('SET LOCAL ROLE zt_audit_writer');
      const { rows: readable } = await db.query<{ n: string }>('SELECT count(*) AS n FROM audit.records');
      expect(Number(readable[0].n)).toBeGreaterThan(0);
      await db.query('ROLLBACK');
    } finally {
      await db.end();
    }
  });

  it('verifies its hash chain', async () => {
    const auditor = await issuer.mint({ sub: 'auditor@company.com', roles: ['auditor'] });
    const verdict = await call(services.audit.url, 'GET', '/v1/zt-policy/audit/verify', { token: auditor });
    expect(verdict.body).toMatchObject({ valid: true });
    expect(verdict.body.records).toBeGreaterThanOrEqual(3);
  });

  it('streams sealed records to zt.audit.events, as an outside consumer (kcat) reads them', async () => {
    const read = () =>
      execFileSync(
        'kcat',
        [
          '-b',
          INFRA.kafkaBrokers,
          '-C',
          '-t',
          `${topicPrefix}zt.audit.events`,
          '-o',
          'beginning',
          '-e',
          '-J',
          '-q',
        ],
        {
          encoding: 'utf8',
          timeout: 30_000,
        },
      )
        .split('\n')
        .filter((line) => line.trim().length > 0)
        .map(
          (line) =>
            JSON.parse(JSON.parse(line).payload as string) as {
              type: string;
              data: { seq: number; prevHash: string; hash: string };
            },
        );
    const events = await eventually(
      () => {
        const all = read();
        return all.length >= 3 ? all : undefined;
      },
      30_000,
      'sealed records on zt.audit.events',
    );
    expect(events.every((e) => e.type === 'com.zt.audit.record')).toBe(true);
    const seqs = events.map((e) => e.data.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    for (let i = 1; i < events.length; i++) expect(events[i].data.prevHash).toBe(events[i - 1].data.hash);
  });

  it('restricts a risky device end to end: posture over Kafka, the reference model, risk in Redis', async () => {
    const model: Server = createRiskModelServer(new RiskModel());
    await new Promise<void>((resolve) => model.listen(0, '127.0.0.1', resolve));
    try {
      const modelUrl = `http://127.0.0.1:${(model.address() as AddressInfo).port}/score`;
      const admin = await issuer.mint({ sub: 'ines@company.com', roles: ['infra_admin', 'policy_admin'] });
      const agent = await issuer.mint({ sub: 'agent-fleet', roles: ['device_agent'] });
      const pep = await issuer.mint({ sub: 'gateway', roles: ['pep'] });
      const di = services['device-intelligence'].url;
      expect(
        (
          await call(di, 'POST', '/v1/zt-policy/device-intelligence/integrate', {
            token: admin,
            body: { model_url: modelUrl, threshold: 0.75 },
          })
        ).status,
      ).toBe(200);
      expect(
        (
          await call(services['policy-admin'].url, 'POST', '/v1/zt-policy/policies', {
            token: admin,
            body: {
              name: 'gitlab for compliant devices',
              subjects: ['*'],
              resources: ['gitlab.*'],
              actions: ['read'],
              conditions: { device_posture: 'compliant', risk_score_max: 75 },
              effect: 'allow',
            },
          })
        ).status,
      ).toBe(201);
      const posture = await call(di, 'POST', '/v1/zt-policy/device-intelligence/posture', {
        token: agent,
        body: [
          {
            device_id: 'it-laptop-ok',
            signals: {
              managed: true,
              disk_encrypted: true,
              edr_running: true,
              network_type: 'corporate',
              patch_age_days: 2,
              failed_logins_24h: 0,
            },
          },
          {
            device_id: 'it-laptop-bad',
            signals: {
              managed: false,
              jailbroken: true,
              network_type: 'public',
              patch_age_days: 300,
              failed_logins_24h: 25,
            },
          },
        ],
      });
      expect(posture.status).toBe(202);
      const decide = (device: string) =>
        call<{ decision: string; reasons: string[] }>(
          services.decision.url,
          'POST',
          '/v1/zt-policy/decisions',
          {
            token: pep,
            body: {
              subject: { id: 'alice@company.com' },
              action: 'read',
              resource: { id: 'gitlab.repo' },
              context: { device: { id: device } },
            },
          },
        );
      await eventually(
        async () => ((await decide('it-laptop-ok')).body.decision === 'allow' ? true : undefined),
        30_000,
        'the healthy device to be allowed',
      );
      const denied = await eventually(
        async () => {
          const r = await decide('it-laptop-bad');
          return r.body.reasons.some((reason) => reason.includes('it-laptop-bad risk')) ? r.body : undefined;
        },
        30_000,
        'the risky device to be restricted',
      );
      expect(denied.decision).toBe('deny');
      const auditor = await issuer.mint({ sub: 'auditor@company.com', roles: ['auditor'] });
      await eventually(
        async () => {
          const page = await call<{ items: { payload: { restricted: boolean } }[] }>(
            services.audit.url,
            'GET',
            '/v1/zt-policy/audit/events?type=com.zt.device.risk&deviceId=it-laptop-bad',
            { token: auditor },
          );
          return page.body.items[0]?.payload.restricted === true ? true : undefined;
        },
        30_000,
        'the risk verdict in the audit trail',
      );
    } finally {
      await new Promise((resolve) => model.close(resolve));
    }
  }, 120_000);

  it('starts a new decision replica even when the policy topic ends with a message that is not a CloudEvent', async () => {
    const kafka = new Kafka({ brokers: INFRA.kafkaBrokers.split(','), clientId: 'poison' });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: `${topicPrefix}zt.policy.changes`,
      messages: [{ key: 'junk', value: 'not json' }],
    });
    await producer.disconnect();
    // startServiceProcess waits for /readyz: the replica must catch up past the skipped message.
    const late = await startServiceProcess('decision', { ...env, INSTANCE_ID: 'decision-late' });
    try {
      const ready = await call<{
        checks: { 'policy-state': { detail: { caughtUp: boolean; revision: number } } };
      }>(late.url, 'GET', '/readyz');
      expect(ready.body.checks['policy-state'].detail).toMatchObject({ caughtUp: true });
      expect(ready.body.checks['policy-state'].detail.revision).toBeGreaterThan(0);
    } finally {
      await late.stop();
    }
  }, 120_000);
});
