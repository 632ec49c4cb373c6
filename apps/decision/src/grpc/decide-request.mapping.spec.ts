import { jsonToStruct, ProtoStruct } from './protobuf-struct';
import { decideBodyOf, DecideRequestMessage, decideRequestProblems } from './decide-request.mapping';

/** A Struct as proto-loader (oneofs on) hands it over, for flat JSON. */
function struct(json: Record<string, unknown>): ProtoStruct {
  const fields = jsonToStruct(json).fields ?? {};
  return {
    fields: Object.fromEntries(
      Object.entries(fields).map(([k, v]) => [k, { ...v, kind: Object.keys(v)[0] as 'stringValue' }]),
    ),
  };
}

function message(overrides: Partial<DecideRequestMessage> = {}): DecideRequestMessage {
  return {
    subject: { type: 'user', id: 'alice', roles: ['dev'], groups: [], attributes: struct({ team: 'a' }) },
    action: 'read',
    resource: { type: 'doc', id: 'doc-1', attributes: null },
    context: struct({ ip: '10.0.0.1' }),
    min_revision: '0',
    ...overrides,
  };
}

describe('decideBodyOf', () => {
  it('maps the message to the native body, Structs as JSON', () => {
    expect(decideBodyOf(message())).toEqual({
      action: 'read',
      subject: { type: 'user', id: 'alice', roles: ['dev'], groups: [], attributes: { team: 'a' } },
      resource: { type: 'doc', id: 'doc-1', attributes: {} },
      context: { ip: '10.0.0.1' },
    });
  });
});

describe('decideRequestProblems', () => {
  it('finds nothing wrong with an ordinary request', () => {
    expect(decideRequestProblems(decideBodyOf(message()), { authorization: 'Bearer a.b.c' })).toEqual([]);
  });

  it('names a NUL in an id, a lone surrogate in the action, NaN and Infinity in the Structs', () => {
    const body = decideBodyOf(
      message({
        action: 're\uD800ad',
        subject: {
          type: 'user',
          id: 'al\u0000ice',
          roles: [],
          groups: [],
          attributes: struct({ score: Number.NaN }),
        },
        context: struct({ risk: Number.POSITIVE_INFINITY }),
      }),
    );
    expect(decideRequestProblems(body, {})).toEqual(
      expect.arrayContaining([
        { pointer: '/action', detail: 'contains a lone surrogate U+D800 at offset 2' },
        { pointer: '/subject/id', detail: 'contains the control character U+0000 at offset 2' },
        { pointer: '/subject/attributes/score', detail: 'is not a finite number' },
        { pointer: '/context/risk', detail: 'is not a finite number' },
      ]),
    );
  });

  it('names the metadata it reads: the bearer token and the correlation id', () => {
    expect(
      decideRequestProblems(decideBodyOf(message()), {
        authorization: 'Bearer a\u001B[2Jb',
        'x-correlation-id': 'c\u0007',
      }),
    ).toEqual([
      { pointer: '/metadata/authorization', detail: 'contains the control character U+001B at offset 8' },
      { pointer: '/metadata/x-correlation-id', detail: 'contains the control character U+0007 at offset 1' },
    ]);
  });
});
