import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { buildAsyncApiDocument } from './asyncapi';
import { EVENT_CONTRACTS } from './event-schemas/catalogue';
import { ALL_TOPICS } from './topics';

// The official AsyncAPI 3.0.0 JSON Schema (see test/asyncapi/README.md).
const SPEC_SCHEMA = JSON.parse(
  readFileSync(join(__dirname, '../../../test/asyncapi/asyncapi-3.0.0.schema.json'), 'utf8'),
) as object;

type Doc = {
  channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
  components: {
    messages: Record<string, { name: string; payload: object; examples: { payload: unknown }[] }>;
  };
};

describe('the AsyncAPI document', () => {
  const doc = buildAsyncApiDocument({ version: '0.1.0' }) as unknown as Doc;

  it('is a valid AsyncAPI 3.0.0 document by the specification’s JSON Schema', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(SPEC_SCHEMA);
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
  });

  it('has a channel for every topic the project creates, and a message for every event type', () => {
    expect(
      Object.values(doc.channels)
        .map((c) => c.address)
        .sort(),
    ).toEqual([...ALL_TOPICS].sort());
    expect(
      Object.values(doc.components.messages)
        .map((m) => m.name)
        .sort(),
    ).toEqual(EVENT_CONTRACTS.map((c) => c.type).sort());
  });

  it('gives each message an example that its own payload schema accepts', () => {
    const ajv = new Ajv({ strict: true, strictTypes: false });
    addFormats(ajv, ['date-time']);
    for (const message of Object.values(doc.components.messages)) {
      const validate = ajv.compile(message.payload);
      expect({ [message.name]: validate(message.examples[0].payload) ? 'valid' : validate.errors }).toEqual({
        [message.name]: 'valid',
      });
    }
  });
});
