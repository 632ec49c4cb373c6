import fc from 'fast-check';
import {
  anyText,
  deepPastProtobuf,
  deepStruct,
  deepStructBytes,
  GrpcCase,
  GrpcFuzzContext,
  hostileNumber,
  hostileStruct,
  lengthDelimited,
  manyRefusedNames,
  RAW_TEXT,
  tokenMetadata,
  UNDECODABLE,
  wrongKindStruct,
} from './grpc-values';

const SUBJECTS = [undefined, 'alice@company.com', 'bob@company.com'];
const ACTIONS = ['GET', 'POST', 'DELETE', 'get'];
const RESOURCES = [
  'gitlab.company.com/x',
  'gitlab.company.com/api/v4/projects',
  'downloads.company.com/a.zip',
  'other.example/',
];

/** A DecideRequest the API accepts, as proto-loader takes it. */
function validDecide(): fc.Arbitrary<Record<string, unknown>> {
  return fc.record({
    subject: fc.constantFrom(...SUBJECTS).map((id) => (id ? { id, groups: ['engineering'] } : undefined)),
    action: fc.constantFrom(...ACTIONS),
    resource: fc.constantFrom(...RESOURCES).map((id) => ({ type: 'http', id })),
    context: fc.constantFrom(undefined, {
      fields: { risk_score: { numberValue: 10 }, ip: { stringValue: '10.1.2.3' } },
    }),
  });
}

/** Sets `value` at `path` in a copy of `message`, creating the objects on the way. */
function placed(message: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(message);
  let at: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
  at[path[path.length - 1]] = value;
  return copy;
}

const TEXT_FIELDS = [
  ['action'],
  ['subject', 'id'],
  ['subject', 'type'],
  ['subject', 'roles'],
  ['subject', 'groups'],
  ['resource', 'id'],
  ['resource', 'type'],
];
const STRUCT_FIELDS = [['context'], ['subject', 'attributes'], ['resource', 'attributes']];

function decideWith(
  context: GrpcFuzzContext,
  kind: string,
  change: fc.Arbitrary<[string[], unknown]>,
): fc.Arbitrary<GrpcCase> {
  return fc
    .tuple(validDecide(), change, tokenMetadata(context))
    .map(([message, [path, value], metadata]) => ({
      method: 'Decide' as const,
      kind,
      message: placed(message, path, value),
      metadata,
    }));
}

/** Hostile metadata a gRPC client can send (HTTP/2 drops NUL and other controls on the way). */
const hostileMetadataValue = fc.constantFrom(
  '',
  ' ',
  '-1',
  '1e309',
  'NaN',
  '0x10',
  ' 1',
  '9007199254740993',
  '18446744073709551616',
  '99999999999999999999999999',
  '%00',
  '../../etc/passwd',
  '${jndi:ldap://x/a}',
  'Bearer',
  'Bearer ',
  'Basic YTpi',
  'x'.repeat(7_000),
);

/** Fields after a valid DecideRequest: a Struct nested past protobuf's limit, bytes that are not protobuf, raw text. */
const appendedToDecide: fc.Arbitrary<[Buffer, string, string | undefined]> = fc.oneof(
  deepPastProtobuf.map(([levels, kind]): [Buffer, string, string] => [
    lengthDelimited(4, deepStructBytes(levels, kind)),
    `context (4) = a Struct nested ${levels} levels as ${kind}s`,
    'nested past protobuf decoding',
  ]),
  UNDECODABLE.map(([bytes, shown]): [Buffer, string, undefined] => [bytes, shown, undefined]),
  RAW_TEXT.map(([bytes, shown, refused]): [Buffer, string, string | undefined] => [
    lengthDelimited(2, Buffer.from(bytes)),
    `action (2) = ${shown}`,
    refused ? shown : undefined,
  ]),
);

/** Per kind, calls to Decide: valid, near-valid and hostile. */
export function decideCases(context: GrpcFuzzContext): Record<string, fc.Arbitrary<GrpcCase>> {
  const textField = fc.constantFrom(...TEXT_FIELDS);
  const structField = fc.constantFrom(...STRUCT_FIELDS);
  const asField = (path: string[], text: string): [string[], unknown] => [
    path,
    path[1] === 'roles' || path[1] === 'groups' ? ['ok', text] : text,
  ];
  return {
    valid: fc
      .tuple(validDecide(), tokenMetadata(context), fc.constantFrom(undefined, '0', '1'))
      .map(([message, metadata, revision]) => ({
        method: 'Decide' as const,
        kind: 'valid request',
        message,
        metadata: revision ? { ...metadata, 'zt-min-revision': revision } : metadata,
      })),
    text: decideWith(
      context,
      'hostile text field',
      fc.tuple(textField, anyText).map(([path, text]) => asField(path, text)),
    ),
    struct: decideWith(context, 'hostile Struct', fc.tuple(structField, hostileStruct)),
    numbers: decideWith(
      context,
      'hostile number',
      fc
        .tuple(structField, fc.constantFrom('risk_score', 'd'), hostileNumber)
        .map(([path, key, n]) => [path, { fields: { [key]: { numberValue: n } } }]),
    ),
    deep: decideWith(context, 'deep Struct', fc.tuple(structField, deepStruct)),
    names: decideWith(context, 'many refused member names', fc.tuple(structField, manyRefusedNames)),
    kinds: decideWith(context, 'wrong kinds in a Struct', fc.tuple(structField, wrongKindStruct)),
    metadata: fc
      .tuple(
        validDecide(),
        tokenMetadata(context),
        fc.constantFrom('authorization', 'x-correlation-id', 'zt-min-revision', 'min_revision'),
        hostileMetadataValue,
      )
      .map(([message, metadata, name, value]) => ({
        method: 'Decide' as const,
        kind: `hostile ${name}`,
        message:
          name === 'min_revision' && /^\d+$/.test(value) ? { ...message, min_revision: value } : message,
        metadata: name === 'min_revision' ? metadata : { ...metadata, [name]: value },
      })),
    bigRevision: fc
      .tuple(validDecide(), fc.constantFrom('9007199254740993', '18446744073709551615', '10000000000000000'))
      .map(([message, revision]) => ({
        method: 'Decide' as const,
        kind: 'min_revision past 2^53',
        message: { ...message, min_revision: revision },
        metadata: { authorization: `Bearer ${context.pepToken}` },
      })),
    raw: fc
      .tuple(validDecide(), tokenMetadata(context), appendedToDecide)
      .map(([message, metadata, [bytes, shown, refused]]) => ({
        method: 'Decide' as const,
        kind: 'raw bytes',
        message,
        raw: { bytes, shown },
        metadata,
        refused,
      })),
  };
}
