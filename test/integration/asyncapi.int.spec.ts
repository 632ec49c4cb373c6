import { randomBytes } from 'node:crypto';
import { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { Consumer, Kafka, Partitioners } from 'kafkajs';
import { CloudEvent, createCloudEvent, EventTypes, Topics } from '@zt/contracts';
import { call, eventually } from '../support/http';
import { createTestDatabase, INFRA, ServiceProcess, startServiceProcess } from '../support/distributed';
import { startTestIssuer, TestIssuer } from '../support/test-issuer';
import { RiskModel } from '../../examples/risk-model/src/risk-model';
import { createRiskModelServer } from '../../examples/risk-model/src/server';

type Doc = {
  channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
  components: { messages: Record<string, { name: string; payload: object }> };
};

interface Read {
  topic: string;
  key: string | null;
  event: CloudEvent;
}

/**
 * Real traffic through the four services on real Kafka, read back from every topic by an outside
 * consumer and checked against the `/asyncapi.json` the services serve: every message must be a
 * message of its channel, and valid by that message's schema.
 */
describe('the bus as /asyncapi.json describes it: real messages on real Kafka', () => {
  let issuer: TestIssuer;
  let database: { url: string; drop(): Promise<void> };
  const services: Record<string, ServiceProcess> = {};
  let prefix: string;
  let model: Server;
  let reader: Consumer;
  const read: Read[] = [];

  beforeAll(async () => {
    issuer = await startTestIssuer();
    database = await createTestDatabase();
    model = createRiskModelServer(new RiskModel());
    await new Promise<void>((resolve) => model.listen(0, '127.0.0.1', resolve));
    prefix = `it-${randomBytes(4).toString('hex')}.`;
    const env = {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: INFRA.kafkaBrokers,
      REDIS_URL: INFRA.redisUrl,
      TOPIC_PREFIX: prefix,
      REDIS_KEY_PREFIX: `it-${randomBytes(4).toString('hex')}:`,
      JWKS_URL: issuer.jwksUrl,
      JWT_ISSUER: issuer.issuer,
      LOG_LEVEL: 'warn',
      MODEL_ALLOWED_HOSTS: '127.0.0.1',
      // Checkpoints and heartbeats soon, so that the run sees them.
      AUDIT_CHECKPOINT_EVERY: '3',
      AUDIT_CHECKPOINT_SECONDS: '1',
      DECISION_HEARTBEAT_SECONDS: '1',
    };
    for (const name of ['policy-admin', 'decision', 'device-intelligence', 'audit']) {
      services[name] = await startServiceProcess(name, env);
    }
    reader = new Kafka({ brokers: INFRA.kafkaBrokers.split(','), clientId: 'asyncapi-it' }).consumer({
      groupId: `${prefix}outside-reader`,
    });
    await reader.connect();
    await reader.subscribe({
      topics: Object.values(Topics).map((t) => `${prefix}${t}`),
      fromBeginning: true,
    });
    await reader.run({
      eachMessage: ({ topic, message }) => {
        read.push({
          topic: topic.slice(prefix.length),
          key: message.key?.toString() ?? null,
          event: JSON.parse(message.value?.toString() ?? 'null') as CloudEvent,
        });
        return Promise.resolve();
      },
    });
  }, 300_000);

  afterAll(async () => {
    await reader?.disconnect();
    await Promise.all(Object.values(services).map((s) => s.stop()));
    await new Promise((resolve) => model?.close(resolve));
    await database?.drop();
    await issuer?.close();
  }, 60_000);

  it('carries only messages its document describes, each valid by its schema', async () => {
    const admin = await issuer.mint({
      sub: 'ines@company.com',
      roles: ['infra_admin', 'policy_admin'],
      // Deleting a policy asks for MFA.
      amr: ['pwd', 'mfa'],
    });
    const agent = await issuer.mint({ sub: 'agent-fleet', roles: ['device_agent'] });
    const pep = await issuer.mint({ sub: 'gateway', roles: ['pep'] });
    const pa = services['policy-admin'].url;
    const di = services['device-intelligence'].url;
    const ok = async (response: Promise<{ status: number; body: unknown }>, status: number) => {
      const r = await response;
      expect({ status: r.status, body: r.status === status ? 'as expected' : r.body }).toEqual({
        status,
        body: 'as expected',
      });
      return r.body as Record<string, unknown>;
    };
    const modelUrl = `http://127.0.0.1:${(model.address() as AddressInfo).port}/score`;
    await ok(
      call(di, 'POST', '/v1/zt-policy/device-intelligence/integrate', {
        token: admin,
        body: { model_url: modelUrl, threshold: 0.75 },
      }),
      200,
    );
    const policy = await ok(
      call(pa, 'POST', '/v1/zt-policy/policies', {
        token: admin,
        headers: { 'zt-change-reason': 'asyncapi run' },
        body: {
          name: 'gitlab for compliant devices',
          subjects: ['*'],
          resources: ['gitlab.*'],
          actions: ['read'],
          conditions: { device_posture: 'compliant' },
          effect: 'allow',
        },
      }),
      201,
    );
    await ok(
      call(pa, 'PUT', `/v1/zt-policy/policies/${String(policy.id)}`, {
        token: admin,
        body: {
          name: 'gitlab for compliant devices',
          subjects: ['*'],
          resources: ['gitlab.*'],
          actions: ['read', 'list'],
          conditions: { device_posture: 'compliant' },
          effect: 'allow',
        },
      }),
      200,
    );
    await ok(call(pa, 'DELETE', `/v1/zt-policy/policies/${String(policy.id)}`, { token: admin }), 204);
    const principal = {
      type: 'user',
      roles: ['engineer'],
      groups: ['eng'],
      attributes: { department: 'R&D' },
    };
    await ok(
      call(pa, 'PUT', '/v1/zt-policy/principals/rick@company.com', { token: admin, body: principal }),
      200,
    );
    await ok(call(pa, 'DELETE', '/v1/zt-policy/principals/rick@company.com', { token: admin }), 204);
    const resource = { properties: { owner: 'rick@company.com' } };
    await ok(call(pa, 'PUT', '/v1/zt-policy/resources/todo/7', { token: admin, body: resource }), 200);
    await ok(call(pa, 'DELETE', '/v1/zt-policy/resources/todo/7', { token: admin }), 204);
    await ok(
      call(di, 'POST', '/v1/zt-policy/device-intelligence/posture', {
        token: agent,
        body: {
          device_id: 'it-laptop-ok',
          signals: { managed: true, disk_encrypted: true, edr_running: true },
        },
      }),
      202,
    );
    await eventually(
      () => (read.some((r) => r.event.type === EventTypes.deviceRisk) ? true : undefined),
      60_000,
      'a risk verdict',
    );
    for (let i = 0; i < 3; i++) {
      await ok(
        call(services.decision.url, 'POST', '/v1/zt-policy/decisions', {
          token: pep,
          body: {
            subject: { id: 'alice@company.com' },
            action: 'read',
            resource: { id: 'gitlab.repo' },
            context: { device: { id: 'it-laptop-ok' } },
          },
        }),
        200,
      );
    }
    // An agent gateway writing to Kafka directly, with a report the HTTP intake would refuse.
    const producer = new Kafka({
      brokers: INFRA.kafkaBrokers.split(','),
      clientId: 'rogue-gateway',
    }).producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const rogue = createCloudEvent({
      source: '/agent-gateway',
      type: EventTypes.devicePosture,
      data: {
        device_id: 'it-laptop-rogue',
        signals: { patch_age_days: -5 },
        observed_at: new Date().toISOString(),
      },
    });
    await producer.send({
      topic: `${prefix}${Topics.devicePosture}`,
      messages: [{ key: 'it-laptop-rogue', value: JSON.stringify(rogue) }],
    });
    await producer.disconnect();

    const wanted = [
      EventTypes.modelIntegrationSet,
      EventTypes.policyCreated,
      EventTypes.policyUpdated,
      EventTypes.policyDeleted,
      EventTypes.principalUpserted,
      EventTypes.principalDeleted,
      EventTypes.resourceUpserted,
      EventTypes.resourceDeleted,
      EventTypes.devicePosture,
      EventTypes.deviceRisk,
      EventTypes.decisionBatch,
      EventTypes.decisionHeartbeat,
      EventTypes.auditRecord,
      EventTypes.auditCheckpoint,
      'com.zt.bus.dead_lettered',
    ];
    await eventually(
      () => {
        const seen = new Set(read.map((r) => r.event.type));
        return wanted.every((type) => seen.has(type)) ? true : undefined;
      },
      90_000,
      `every event type (missing: ${wanted.filter((t) => !read.some((r) => r.event.type === t)).join(', ')})`,
    );

    const doc = (await call<Doc>(services.decision.url, 'GET', '/asyncapi.json')).body;
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const byName = new Map<string, ValidateFunction>(
      Object.entries(doc.components.messages).map(([, m]) => [m.name, ajv.compile(m.payload)]),
    );
    const channelTypes = new Map<string, Set<string>>(
      Object.values(doc.channels).map((c) => [
        c.address,
        new Set(
          Object.values(c.messages).map((ref) => doc.components.messages[ref.$ref.split('/').pop()!].name),
        ),
      ]),
    );
    const failures: unknown[] = [];
    for (const { topic, event } of read) {
      if (event.id === rogue.id) continue;
      if (!channelTypes.get(topic)?.has(event.type)) {
        failures.push({ topic, type: event.type, problem: 'not a message of this channel' });
        continue;
      }
      const validate = byName.get(event.type)!;
      const valid: boolean = validate(event);
      if (!valid) failures.push({ topic, type: event.type, id: event.id, errors: validate.errors });
    }
    expect(failures).toEqual([]);
    expect(read.length).toBeGreaterThan(wanted.length);

    // The rogue report was refused by its readers, dead-lettered, and never applied.
    const letters = read
      .filter((r) => r.topic === Topics.deadLetters)
      .map((r) => r.event.data as Record<string, unknown>);
    expect(letters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ consumer: 'device-intelligence', reason: 'invalid', message_id: rogue.id }),
        expect.objectContaining({ consumer: 'decision', reason: 'invalid', message_id: rogue.id }),
      ]),
    );
    const device = await call(di, 'GET', '/v1/zt-policy/device-intelligence/devices/it-laptop-rogue', {
      token: admin,
    });
    expect(device.status).toBe(404);
    // The posture on the bus is snake_case, as the HTTP body.
    const posture = read.find((r) => r.event.type === EventTypes.devicePosture && r.key === 'it-laptop-ok');
    expect(Object.keys(posture!.event.data as object).sort()).toEqual([
      'device_id',
      'observed_at',
      'signals',
    ]);
  }, 240_000);
});
