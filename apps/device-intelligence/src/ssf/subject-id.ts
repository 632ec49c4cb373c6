/** A simple subject identifier (RFC 9493 §3), as SETs and stream subjects carry it. */
export type SimpleSubjectId =
  | { format: 'account'; uri: string }
  | { format: 'email'; email: string }
  | { format: 'iss_sub'; iss: string; sub: string }
  | { format: 'opaque'; id: string }
  | { format: 'phone_number'; phone_number: string }
  | { format: 'did'; url: string }
  | { format: 'uri'; uri: string };

/** The facets of an SSF complex subject (SSF 1.0 §3.2), each a simple subject identifier. */
export const COMPLEX_FACETS = [
  'user',
  'device',
  'session',
  'application',
  'tenant',
  'org_unit',
  'group',
] as const;

/** An RFC 9493 subject identifier, or an SSF complex subject. */
export type SubjectId =
  | SimpleSubjectId
  | { format: 'aliases'; identifiers: SimpleSubjectId[] }
  | ({ format: 'complex' } & { [F in (typeof COMPLEX_FACETS)[number]]?: SimpleSubjectId });

// Bounds: one identifier member is at most a long URI, an alias list or complex subject a few.
const MEMBER = { type: 'string', minLength: 1, maxLength: 512 } as const;

function simple(format: string, members: Record<string, object>): object {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['format', ...Object.keys(members)],
    properties: { format: { const: format }, ...members },
  };
}

const SIMPLE_FORMATS = [
  simple('account', { uri: { ...MEMBER, pattern: '^acct:[^@\\s]+@[^@\\s]+$' } }),
  simple('email', { email: { ...MEMBER, pattern: '^[^@\\s]+@[^@\\s]+$' } }),
  simple('iss_sub', { iss: MEMBER, sub: MEMBER }),
  simple('opaque', { id: MEMBER }),
  simple('phone_number', { phone_number: { type: 'string', pattern: '^\\+[1-9][0-9]{1,14}$' } }),
  simple('did', { url: { ...MEMBER, pattern: '^did:' } }),
  simple('uri', { uri: { ...MEMBER, pattern: '^[A-Za-z][A-Za-z0-9+.-]*:' } }),
];

/** JSON Schema of one simple subject identifier (RFC 9493 §3.2, without aliases). */
export const SIMPLE_SUBJECT_ID_SCHEMA = {
  type: 'object',
  required: ['format'],
  properties: { format: { type: 'string' } },
  discriminator: { propertyName: 'format' },
  oneOf: SIMPLE_FORMATS,
} as const;

/** JSON Schema of a subject: a simple identifier, aliases of them (RFC 9493 §3.2.8) or complex (SSF §3.2). */
export const SUBJECT_ID_SCHEMA = {
  type: 'object',
  required: ['format'],
  properties: { format: { type: 'string' } },
  discriminator: { propertyName: 'format' },
  oneOf: [
    ...SIMPLE_FORMATS,
    {
      type: 'object',
      additionalProperties: false,
      required: ['format', 'identifiers'],
      properties: {
        format: { const: 'aliases' },
        identifiers: { type: 'array', minItems: 1, maxItems: 8, items: SIMPLE_SUBJECT_ID_SCHEMA },
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['format'],
      minProperties: 2,
      properties: {
        format: { const: 'complex' },
        ...Object.fromEntries(COMPLEX_FACETS.map((facet) => [facet, SIMPLE_SUBJECT_ID_SCHEMA])),
      },
    },
  ],
} as const;

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** One string per subject whatever its members' order, so a subject is added to a stream once. */
export function subjectKey(subject: SubjectId): string {
  return JSON.stringify(canonical(subject));
}
