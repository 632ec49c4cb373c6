import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { buildAsyncApiDocument, CloudEvent, createCloudEvent, EventTypes, Topics } from '@zt/contracts';
import { MessageBus } from '@zt/messaging';
import { call, eventually } from '../support/http';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';

type Message = { name: string; payload: object };
type Doc = {
  asyncapi: string;
  channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
  components: { messages: Record<string, Message> };
};

describe('the AsyncAPI document (standalone)', () => {
  let product: StandaloneUnderTest;
  let doc: Doc;
  const seen: { topic: string; event: CloudEvent }[] = [];

  beforeAll(async () => {
    product = await startStandaloneForTest();
    const bus = product.process.app.get(MessageBus, { strict: false });
    await bus.subscribe({
      topics: [Topics.devicePosture, Topics.deviceRisk, Topics.deadLetters],
      groupId: 'asyncapi-e2e',
      fromBeginning: false,
      handler: (event, info) => {
        seen.push({ topic: info.topic, event });
        return Promise.resolve();
      },
    });
    // The whole product starts in this process: slow on a busy machine.
  }, 120_000);

  afterAll(async () => {
    await product?.stop();
  });

  it('is served without a token, and is a valid AsyncAPI 3.0.0 document', async () => {
    const response = await call<Doc>(product.url, 'GET', '/asyncapi.json');
    expect(response.status).toBe(200);
    doc = response.body;
    expect(doc.asyncapi).toBe('3.0.0');
    expect(doc).toEqual(buildAsyncApiDocument({ version: '0.1.0' }));
    const schema = JSON.parse(
      readFileSync(join(__dirname, '../asyncapi/asyncapi-3.0.0.schema.json'), 'utf8'),
    ) as object;
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
  });

  it('describes the snake_case posture event the HTTP intake publishes, and dead-letters what the intake would refuse', async () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const validators = new Map<string, ValidateFunction>(
      Object.values(doc.components.messages).map((m) => [m.name, ajv.compile(m.payload)]),
    );
    const agent = await product.issuer.mint({ sub: 'agent-fleet', roles: ['device_agent'] });
    const report = {
      device_id: 'asyncapi-laptop-1',
      signals: { managed: true, disk_encrypted: true, os_name: 'macOS' },
    };
    const accepted = await call(product.url, 'POST', '/v1/zt-policy/device-intelligence/posture', {
      token: agent,
      body: report,
    });
    expect(accepted.status).toBe(202);
    // An agent gateway writing to the bus directly, ahead of any honest clock.
    const bus = product.process.app.get(MessageBus, { strict: false });
    const ahead = new Date(Date.now() + 3_600_000).toISOString();
    const future = createCloudEvent({
      source: '/agent-gateway',
      type: EventTypes.devicePosture,
      data: { ...report, device_id: 'asyncapi-laptop-2', observed_at: ahead },
    });
    await bus.publish(Topics.devicePosture, [{ key: 'asyncapi-laptop-2', event: future }]);
    await eventually(
      // One from each consumer that reads posture.
      () => (seen.filter((s) => s.topic === Topics.deadLetters).length >= 2 ? true : undefined),
      20_000,
      'the dead letters',
    );
    const posted = seen.find((s) => s.topic === Topics.devicePosture && s.event.subject === report.device_id);
    expect(posted?.event.data).toEqual({ ...report, observed_at: expect.any(String) });
    for (const { event } of seen.filter((s) => s.event.id !== future.id)) {
      const validate = validators.get(event.type)!;
      expect({ type: event.type, errors: validate(event) ? null : validate.errors }).toEqual({
        type: event.type,
        errors: null,
      });
    }
    const letters = seen.filter((s) => s.topic === Topics.deadLetters).map((s) => s.event.data);
    // Device intelligence and the decision service both refused it; neither applied it.
    expect(letters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          consumer: 'device-intelligence',
          reason: 'invalid',
          message_id: future.id,
        }),
        expect.objectContaining({ consumer: 'decision', reason: 'invalid', message_id: future.id }),
      ]),
    );
    const auditor = await product.issuer.mint({ sub: 'audra@company.com', roles: ['auditor'] });
    const device = (id: string) =>
      call(product.url, 'GET', `/v1/zt-policy/device-intelligence/devices/${id}`, { token: auditor });
    expect((await device('asyncapi-laptop-1')).status).toBe(200);
    expect((await device('asyncapi-laptop-2')).status).toBe(404);
  });
});
