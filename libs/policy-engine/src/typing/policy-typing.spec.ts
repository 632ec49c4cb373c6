import { parseAttributeSchema, type AttributeSchema } from './attribute-schema';
import { validatePolicyDocument } from './policy-typing';

const SCHEMA: AttributeSchema = {
  version: 1,
  subject: {
    properties: {
      department: { type: 'string' },
      clearance: { type: 'int' },
      on_call: { type: 'bool' },
      teams: { type: 'list', items: { type: 'string' } },
    },
  },
  resources: {
    todo: {
      properties: {
        ownerID: { type: 'string' },
        labels: { type: 'map', values: { type: 'string' } },
        created: { type: 'timestamp' },
      },
    },
    database: {
      properties: {
        classification: { type: 'int' },
        owner: { type: 'object', properties: { id: { type: 'string' } } },
      },
    },
  },
  context: { properties: { ticket: { type: 'string' }, shift: { type: 'int' } } },
};

function policy(expression: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'p1',
    name: 'typed',
    subjects: ['*'],
    resources: ['todo:*'],
    actions: ['read'],
    effect: 'allow',
    conditions: { expression, ...extra },
  };
}

function errorsOf(document: Record<string, unknown>, schema: AttributeSchema | null = SCHEMA) {
  const result = validatePolicyDocument(document, { schema: schema ?? undefined });
  return result.ok ? [] : result.errors;
}

describe('attribute schema', () => {
  it('accepts the documented example', () => {
    expect(parseAttributeSchema(SCHEMA)).toEqual({ ok: true, schema: SCHEMA });
  });

  it('refuses an unknown type with a pointer', () => {
    const result = parseAttributeSchema({ version: 1, subject: { properties: { a: { type: 'integer' } } } });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors[0].pointer).toBe('/subject/properties/a/type');
  });

  it('refuses a list without items and items on a string', () => {
    const result = parseAttributeSchema({
      version: 1,
      context: { properties: { a: { type: 'list' }, b: { type: 'string', items: { type: 'int' } } } },
    });
    expect(!result.ok && result.errors.map((e) => e.pointer)).toEqual(
      expect.arrayContaining(['/context/properties/a/items']),
    );
    const misplaced = parseAttributeSchema({
      version: 1,
      context: { properties: { b: { type: 'string', items: { type: 'int' } } } },
    });
    expect(!misplaced.ok && misplaced.errors).toEqual([
      expect.objectContaining({ pointer: '/context/properties/b/items' }),
    ]);
  });

  it('refuses another version and unknown members', () => {
    expect(parseAttributeSchema({ version: 2 }).ok).toBe(false);
    expect(parseAttributeSchema({ version: 1, subjects: {} }).ok).toBe(false);
  });
});

describe('typed policies', () => {
  it('accepts a policy that uses declared attributes correctly', () => {
    expect(
      errorsOf(policy('resource.properties.ownerID == subject.id && subject.properties.clearance >= 3')),
    ).toEqual([]);
  });

  it('refuses a misspelt attribute with a pointer and the declared names', () => {
    const [error] = errorsOf(policy('resource.propertes.ownerID == subject.id'));
    expect(error.pointer).toBe('/conditions/expression');
    expect(error.message).toContain("resource has no member 'propertes'");
    expect(errorsOf(policy('resource.properties.ownerId == subject.id'))[0].message).toMatch(
      /at character \d+: resource.properties has no member 'ownerId'; the attribute schema declares ownerID, labels, created/,
    );
  });

  it('refuses a string compared with a number', () => {
    expect(errorsOf(policy('subject.properties.department == 3'))[0].message).toContain(
      'compares a string with a number',
    );
    expect(errorsOf(policy('subject.properties.clearance > "3"'))[0].message).toContain('cannot order');
  });

  it('types lists and maps, their members and indexes', () => {
    expect(
      errorsOf(policy('"ops" in subject.properties.teams && resource.properties.labels["env"] == "prod"')),
    ).toEqual([]);
    expect(errorsOf(policy('3 in subject.properties.teams'))[0].message).toContain('looks for a number');
    expect(errorsOf(policy('resource.properties.labels["env"] > 1'))[0].message).toContain('cannot order');
    expect(errorsOf(policy('subject.properties.teams[0].size() > 0'))).toEqual([]);
    expect(errorsOf(policy('subject.properties.teams["a"] == "b"'))[0].message).toContain(
      'a list index must be',
    );
  });

  it('types macros: the item of all/exists is the list item type', () => {
    expect(errorsOf(policy('subject.properties.teams.exists(t, t.startsWith("eng"))'))).toEqual([]);
    expect(errorsOf(policy('subject.properties.teams.all(t, t > 2)'))[0].message).toContain('cannot order');
    expect(errorsOf(policy('has(resource.properties.ownerID)'))).toEqual([]);
    expect(errorsOf(policy('has(resource.properties.ownr)'))[0].message).toContain("no member 'ownr'");
    expect(errorsOf(policy('subject.properties.teams.filter(t, t != "x").size() > 0'))).toEqual([]);
  });

  it('types timestamps as the strings JSON carries', () => {
    expect(
      errorsOf(policy('timestamp(resource.properties.created) < timestamp("2030-01-01T00:00:00Z")')),
    ).toEqual([]);
    expect(errorsOf(policy('resource.properties.created.getFullYear() > 2020'))[0].message).toContain(
      'convert it with timestamp()',
    );
  });

  it('knows the context keys the engine reads, and the declared ones', () => {
    expect(errorsOf(policy('context.risk_score < 50 && context.ticket != "" && context.shift == 2'))).toEqual(
      [],
    );
    expect(errorsOf(policy('context.tiket != ""'))[0].message).toContain("context has no member 'tiket'");
  });

  it('uses the resource type of typed matchers (NIST) and the union otherwise', () => {
    const nist = {
      policyId: 'nist-1',
      name: 'docs',
      version: '1.0.0',
      effect: 'allow',
      subjects: [{ type: 'user', id: 'alice', attributes: { department: 'eng', clearence: 3 } }],
      resources: [{ type: 'database', id: 'db-*', actions: ['read'] }],
      conditions: { expression: 'resource.properties.ownerID == "x"' },
    };
    const errors = errorsOf(nist);
    expect(errors.map((e) => e.pointer)).toEqual([
      '/conditions/expression',
      '/subjects/0/attributes/clearence',
    ]);
    // An untyped matcher may match a todo or a database: both types' properties are known.
    expect(
      errorsOf(policy('resource.properties.classification > 2 && resource.properties.ownerID != ""')),
    ).toEqual([]);
  });

  it('checks named attributes: declared, with the kind the value needs', () => {
    expect(errorsOf(policy('true', { on_call: true, shift: 3 }))).toEqual([]);
    expect(errorsOf(policy('true', { on_cal: true }))).toEqual([
      expect.objectContaining({ pointer: '/conditions/on_cal' }),
    ]);
    expect(errorsOf(policy('true', { department: 5 }))[0].message).toBe(
      'compares department, a string, with a number',
    );
  });

  it('refuses a non-boolean expression and bad operands', () => {
    expect(errorsOf(policy('subject.properties.clearance + 1'))[0].message).toContain('not a boolean');
    expect(errorsOf(policy('subject.properties.department && true'))[0].message).toContain('must be a bool');
  });

  describe('without a schema', () => {
    it('refuses unknown variables only', () => {
      expect(errorsOf(policy('resource.propertes.ownerID == subject.id'), null)).toEqual([]);
      const [error] = errorsOf(policy('resouce.properties.ownerID == subject.id'), null);
      expect(error).toEqual({
        pointer: '/conditions/expression',
        message:
          "at character 1: 'resouce' is not a variable: expressions see subject, resource, action, context",
        keyword: 'type',
      });
    });

    it('still sees comprehension variables', () => {
      expect(errorsOf(policy('subject.roles.exists(r, r == "admin")'), null)).toEqual([]);
      expect(errorsOf(policy('subject.roles.exists(r, q == "admin")'), null)[0].message).toContain("'q'");
    });
  });
});
