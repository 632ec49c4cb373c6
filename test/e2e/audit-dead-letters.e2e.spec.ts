import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { CloudEvent, createCloudEvent, EventSources, EventTypes, Topics } from '@zt/contracts';
import { InProcessBus, MessageBus } from '@zt/messaging';
import { call } from '../support/http';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';

type AuditRecord = {
  seq: number;
  eventId: string;
  type: string;
  payload: { message_id?: string; entry_index?: number | null; reason?: string; raw_sha256?: string };
};
type DeadLetter = {
  id: number;
  reason: string;
  detail: string;
  message_id: string;
  entry_index: number | null;
  raw_base64: string;
  raw_sha256: string;
};

const DEAD_LETTERED = 'com.zt.audit.dead_lettered';

/** A decision as the decision service logs it, one caller each. */
function decision(id: string, n: number): Record<string, unknown> {
  return {
    decisionId: id,
    requestDigest: `digest-${n}`,
    decision: n % 2 === 0 ? 'allow' : 'deny',
    subject: `caller-${n}@company.com`,
    action: 'read',
    resource: `doc-${n}`,
    policies: [{ id: 'pol_1', version: 1 }],
    revision: 1,
    latencyMs: 1,
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
  };
}

function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = { down: value };
  return value;
}

/** Poison entries by their position in the first batch, with the reason each must be kept for. */
const POISON: Record<number, { entry: unknown; reason: string; detail: RegExp }> = {
  3: {
    entry: { ...decision('poison-nul', 3), subject: 'mallory\u0000@company.com' },
    reason: 'unsafe_input',
    detail: /\/payload\/subject contains the control character U\+0000/,
  },
  7: {
    entry: decision('poison-\udc00', 7),
    reason: 'unsafe_input',
    detail: /\/eventId contains a lone surrogate U\+DC00/,
  },
  12: {
    entry: { ...decision('poison-deep', 12), context: nested(40) },
    reason: 'unsafe_input',
    detail: /nested deeper than 32 levels/,
  },
  20: { entry: { subject: 'no decision id' }, reason: 'malformed', detail: /\/decisionId/ },
  // Passes the input rule, yet PostgreSQL refuses the year 271821 BC (SQLSTATE 22008).
  25: {
    entry: { ...decision('poison-time', 25), at: -8.64e15 },
    reason: 'rejected_by_database',
    detail: /^SQLSTATE 22/,
  },
};
const BATCH = 30;

describe('audit dead letters (standalone): one record it cannot store never costs the others', () => {
  let product: StandaloneUnderTest;
  let bus: InProcessBus;
  let auditor: string;
  const first = createCloudEvent({
    source: EventSources.decision,
    type: EventTypes.decisionBatch,
    data: {
      decisions: Array.from({ length: BATCH }, (_, i) => POISON[i]?.entry ?? decision(`good-a${i}`, i)),
    },
  });
  const second = createCloudEvent({
    source: EventSources.decision,
    type: EventTypes.decisionBatch,
    data: { decisions: Array.from({ length: BATCH }, (_, i) => decision(`good-b${i}`, i)) },
  });
  const notABatch = createCloudEvent({
    source: EventSources.decision,
    type: EventTypes.decisionBatch,
    data: { decisions: 'all of them' },
  });
  const single = createCloudEvent({
    source: EventSources.decision,
    type: EventTypes.decisionMade,
    subject: 'single\u0000',
    data: decision('single', 1),
  });

  async function publish(...events: CloudEvent[]): Promise<void> {
    await bus.publish(
      Topics.decisionLog,
      events.map((event) => ({ key: event.id, event })),
    );
    await bus.idle();
  }

  async function records(): Promise<AuditRecord[]> {
    const all: AuditRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await call<{ items: AuditRecord[]; next_cursor?: string }>(
        product.url,
        'GET',
        `/v1/zt-policy/audit/events?limit=500${cursor ? `&cursor=${cursor}` : ''}`,
        { token: auditor },
      );
      all.push(...page.body.items);
      cursor = page.body.next_cursor;
    } while (cursor);
    return all;
  }

  async function deadLetters(query = ''): Promise<DeadLetter[]> {
    const page = await call<{ items: DeadLetter[] }>(
      product.url,
      'GET',
      `/v1/zt-policy/audit/dead-letters?limit=500${query}`,
      { token: auditor },
    );
    expect(page.status).toBe(200);
    return page.body.items;
  }

  beforeAll(async () => {
    product = await startStandaloneForTest();
    bus = product.process.app.get<MessageBus, InProcessBus>(MessageBus);
    auditor = await product.issuer.mint({ sub: 'audra@company.com', roles: ['auditor'] });
    await publish(first, second, notABatch, single);
  });

  afterAll(async () => {
    await product?.stop();
  });

  it('stores every good decision, in order, and a dead-letter record in place of each poison', async () => {
    const mine = (await records()).filter(
      (r) =>
        r.type === EventTypes.decisionMade || (r.type === DEAD_LETTERED && r.payload.message_id === first.id),
    );
    const expected = Array.from({ length: BATCH }, (_, i) =>
      POISON[i] ? `dead letter of entry ${i}` : `decision-good-a${i}`,
    ).concat(Array.from({ length: BATCH }, (_, i) => `decision-good-b${i}`));
    expect(
      mine.map((r) =>
        r.type === DEAD_LETTERED ? `dead letter of entry ${r.payload.entry_index}` : r.eventId,
      ),
    ).toEqual(expected);
    const decisions = mine.filter((r) => r.type === EventTypes.decisionMade);
    expect(decisions).toHaveLength(2 * BATCH - Object.keys(POISON).length);
  });

  it('keeps each poison whole, with its reason, and lists them by reason', async () => {
    const letters = await deadLetters();
    expect(letters).toHaveLength(Object.keys(POISON).length + 2);
    for (const [index, poison] of Object.entries(POISON)) {
      const letter = letters.find((l) => l.message_id === first.id && l.entry_index === Number(index));
      expect(letter).toMatchObject({ reason: poison.reason });
      expect(letter?.detail).toMatch(poison.detail);
      const raw = Buffer.from(letter!.raw_base64, 'base64').toString('utf8');
      expect(JSON.parse(raw)).toEqual(poison.entry);
    }
    expect(letters.find((l) => l.message_id === notABatch.id)).toMatchObject({
      reason: 'malformed',
      entry_index: null,
      detail: '/data/decisions is not an array',
    });
    const whole = letters.find((l) => l.message_id === single.id);
    expect(whole).toMatchObject({ reason: 'unsafe_input', entry_index: null });
    expect(JSON.parse(Buffer.from(whole!.raw_base64, 'base64').toString('utf8'))).toEqual(single);

    expect((await deadLetters('&reason=rejected_by_database')).map((l) => l.entry_index)).toEqual([25]);
    const firstPage = await call<{ items: DeadLetter[]; next_cursor?: string }>(
      product.url,
      'GET',
      '/v1/zt-policy/audit/dead-letters?limit=4',
      { token: auditor },
    );
    expect(firstPage.body.items.map((l) => l.id)).toEqual(letters.slice(0, 4).map((l) => l.id));
    const rest = await deadLetters(`&cursor=${firstPage.body.next_cursor}`);
    expect(rest.map((l) => l.id)).toEqual(letters.slice(4).map((l) => l.id));
  });

  it('records each dead letter in the verifiable chain with the digest of what arrived', async () => {
    const letters = await deadLetters();
    const chained = (await records()).filter((r) => r.type === DEAD_LETTERED);
    expect(chained.map((r) => r.payload.raw_sha256)).toEqual(letters.map((l) => l.raw_sha256));
    const verdict = await call(product.url, 'GET', '/v1/zt-policy/audit/verify', { token: auditor });
    expect(verdict.body).toMatchObject({ valid: true });
  });

  it('adds nothing when the same messages are delivered again', async () => {
    const before = { records: (await records()).length, letters: (await deadLetters()).length };
    await publish(first, notABatch, single);
    expect({ records: (await records()).length, letters: (await deadLetters()).length }).toEqual(before);
  });

  it('counts dead letters by reason on /metrics', async () => {
    const response = await fetch(`${product.url}/metrics`);
    const text = await response.text();
    const count = (reason: string) =>
      Number(
        new RegExp(`zt_audit_dead_letters_total\\{[^}]*reason="${reason}"[^}]*\\} (\\d+)`).exec(text)?.[1],
      );
    expect({
      unsafe_input: count('unsafe_input'),
      malformed: count('malformed'),
      rejected_by_database: count('rejected_by_database'),
    }).toEqual({ unsafe_input: 4, malformed: 2, rejected_by_database: 1 });
  });

  it('answers as its OpenAPI operation documents, to auditors only, and refuses bad queries with pointers', async () => {
    const doc = (
      await call<{ paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }>(
        product.url,
        'GET',
        '/openapi.json',
      )
    ).body;
    const operation = doc.paths['/v1/zt-policy/audit/dead-letters']?.get;
    expect(operation).toBeDefined();
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const schemaOf = (status: number, type: string) =>
      (operation.responses[String(status)] as { content: Record<string, { schema: object }> }).content[type]
        .schema;
    const page = await call(product.url, 'GET', '/v1/zt-policy/audit/dead-letters', { token: auditor });
    const validate = ajv.compile(schemaOf(200, 'application/json'));
    expect(validate(page.body) ? [] : validate.errors).toEqual([]);

    const bad = await call<{ errors: { pointer: string }[] }>(
      product.url,
      'GET',
      '/v1/zt-policy/audit/dead-letters?limit=0&cursor=x&reason=boredom',
      { token: auditor },
    );
    expect(bad.status).toBe(400);
    expect(ajv.validate(schemaOf(400, 'application/problem+json'), bad.body)).toBe(true);
    expect(bad.body.errors.map((e) => e.pointer).sort()).toEqual(['/cursor', '/limit', '/reason']);

    const admin = await product.issuer.mint({ sub: 'pat@company.com', roles: ['policy_admin'] });
    const refused = await call(product.url, 'GET', '/v1/zt-policy/audit/dead-letters', { token: admin });
    expect(refused.status).toBe(403);
  });
});
