import { undefinedRequiredMembers, walkSchema, withExplicitFreeForm } from './schema-shape';

describe('withExplicitFreeForm', () => {
  it('marks an object schema that names no member as free-form, at any depth', () => {
    const schema = {
      type: 'object',
      properties: {
        context: { type: 'object', maxProperties: 100 },
        items: { type: 'array', items: { type: ['object', 'null'] } },
        either: { anyOf: [{ type: 'object' }, { type: 'string' }] },
      },
    };
    const explicit = withExplicitFreeForm(schema);
    expect(explicit).toEqual({
      type: 'object',
      properties: {
        context: { type: 'object', maxProperties: 100, additionalProperties: true },
        items: { type: 'array', items: { type: ['object', 'null'], additionalProperties: true } },
        either: { anyOf: [{ type: 'object', additionalProperties: true }, { type: 'string' }] },
      },
    });
  });

  it('leaves alone objects that say what their members are, and the schema it was given', () => {
    const schema = {
      type: 'object',
      properties: {
        shaped: { type: 'object', properties: { a: { type: 'string' } } },
        closed: { type: 'object', additionalProperties: false },
        map: { type: 'object', additionalProperties: { type: 'integer' } },
        one: { type: 'object', oneOf: [{ required: ['a'] }, { required: ['b'] }] },
      },
    };
    const before = structuredClone(schema);
    expect(withExplicitFreeForm(schema)).toEqual(before);
    expect(schema).toEqual(before);
  });

  it('does not take data for a schema: an enum value or a property named "type"', () => {
    const schema = {
      type: 'object',
      properties: { type: { enum: [{ type: 'object' }] }, properties: { type: 'string' } },
    };
    expect(withExplicitFreeForm(schema)).toEqual(schema);
  });
});

describe('undefinedRequiredMembers', () => {
  it('names the required members a schema does not define, with their pointer', () => {
    const schema = {
      type: 'object',
      required: ['decision', 'context'],
      properties: {
        decision: { type: 'boolean' },
        context: { type: 'object', required: ['id', 'reason_admin'], properties: { id: { type: 'string' } } },
      },
    };
    expect(undefinedRequiredMembers(schema)).toEqual(['/properties/context: reason_admin']);
  });

  it('finds them inside arrays and compositions', () => {
    const schema = {
      anyOf: [{ type: 'array', items: { type: 'object', required: ['id'] } }, { type: 'null' }],
    };
    expect(undefinedRequiredMembers(schema)).toEqual(['/anyOf/0/items: id']);
  });

  it('accepts members left to a composition or to a typed additionalProperties', () => {
    expect(
      undefinedRequiredMembers({
        type: 'object',
        properties: { a: { type: 'string' }, b: { type: 'string' } },
        oneOf: [{ required: ['a'] }, { required: ['b'] }],
      }),
    ).toEqual([]);
    expect(
      undefinedRequiredMembers({ properties: { a: {} }, oneOf: [{ required: ['a'] }, { required: ['c'] }] }),
    ).toEqual(['/oneOf/1: c']);
    expect(
      undefinedRequiredMembers({ type: 'object', required: ['x'], additionalProperties: { type: 'string' } }),
    ).toEqual([]);
    expect(undefinedRequiredMembers({ type: 'object', required: ['a'], allOf: [{}] })).toEqual([]);
  });
});

describe('walkSchema', () => {
  it('escapes member names in pointers (RFC 6901)', () => {
    const pointers: string[] = [];
    walkSchema({ properties: { 'a/b~c': { type: 'string' } } }, (_s, pointer) => pointers.push(pointer));
    expect(pointers).toEqual(['', '/properties/a~1b~0c']);
  });
});
