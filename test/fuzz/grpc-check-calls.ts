import fc from 'fast-check';
import { hostileString, rawNumberText } from './hostile-values';
import {
  anyText,
  deepPastProtobuf,
  deepStruct,
  deepStructBytes,
  GrpcCase,
  GrpcFuzzContext,
  hostileStruct,
  lengthDelimited,
  RAW_TEXT,
  refusedInput,
  UNDECODABLE,
  Value,
  wrongKindStruct,
} from './grpc-values';

interface CheckParts {
  method: string;
  host: string;
  path: string;
  scheme: string;
  address: string;
  port: number;
  headers: Record<string, string>;
  metadataContext?: Value;
  /** Envoy's mTLS peer identity (`source.principal`). */
  principal?: string;
  contextExtensions?: Record<string, string>;
  /** Send the headers as `header_map` (Envoy's `encode_raw_headers: true`) instead of `headers`. */
  headerMap?: boolean;
}

/** An Envoy CheckRequest (envoy.service.auth.v3) as proto-loader takes it. */
export function checkMessage(parts: CheckParts): Record<string, unknown> {
  return {
    attributes: {
      source: {
        address: { socket_address: { address: parts.address, port_value: parts.port } },
        ...(parts.principal === undefined ? {} : { principal: parts.principal }),
      },
      request: {
        http: {
          method: parts.method,
          host: parts.host,
          path: parts.path,
          scheme: parts.scheme,
          ...(parts.headerMap
            ? {
                header_map: {
                  headers: Object.entries(parts.headers).map(([key, value]) => ({ key, value })),
                },
              }
            : { headers: parts.headers }),
        },
      },
      ...(parts.contextExtensions ? { context_extensions: parts.contextExtensions } : {}),
      ...(parts.metadataContext
        ? { metadata_context: { filter_metadata: { 'envoy.filters.http.jwt_authn': parts.metadataContext } } }
        : {}),
    },
  };
}

function validCheck(context: GrpcFuzzContext): fc.Arbitrary<CheckParts> {
  return fc.record({
    method: fc.constantFrom('GET', 'POST', 'DELETE', 'get'),
    host: fc.constantFrom(
      'gitlab.company.com',
      'gitlab.company.com:443',
      'downloads.company.com',
      'other.example',
    ),
    path: fc.constantFrom('/', '/api/v4/projects', '/a?b=c#d', '/tool.zip'),
    scheme: fc.constantFrom('https', 'http'),
    address: fc.constantFrom('10.1.2.3', '::1'),
    port: fc.constantFrom(40_000, 0, 65_535, 4_294_967_295),
    headers: fc
      .tuple(
        fc.constantFrom(context.pepToken, context.plainToken, context.plainToken, undefined, 'not-a-token'),
        fc.constantFrom<Record<string, string>>({}, { 'x-team': 'a' }, { 'x-zt-device-id': 'laptop-1' }),
      )
      .map(([token, extra]): Record<string, string> => ({
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...extra,
      })),
  });
}

/**
 * A valid request, or (twice as often) one the fixture policies allow, so that a hostile change
 * to it shows whether refused input could ever be allowed.
 */
function baseCheck(context: GrpcFuzzContext): fc.Arbitrary<CheckParts> {
  const allowed = fc
    .tuple(validCheck(context), fc.constantFrom(context.pepToken, context.plainToken))
    .map(([parts, token]) => ({
      ...parts,
      method: 'GET',
      host: 'gitlab.company.com',
      headers: { ...parts.headers, authorization: `Bearer ${token}` },
    }));
  return fc.oneof({ weight: 2, arbitrary: allowed }, { weight: 1, arbitrary: validCheck(context) });
}

function checkWith(
  context: GrpcFuzzContext,
  kind: string,
  change: fc.Arbitrary<(parts: CheckParts) => CheckParts>,
): fc.Arbitrary<GrpcCase> {
  return fc.tuple(baseCheck(context), change).map(([parts, apply]) => ({
    method: 'Check' as const,
    kind,
    message: checkMessage(apply(parts)),
    metadata: {},
  }));
}

const CHECK_TEXT_FIELDS = ['method', 'host', 'path', 'scheme', 'address'] as const;
const HEADER_NAMES = [
  'authorization',
  'x-zt-device-id',
  'x-team',
  ':authority',
  ':method',
  'cookie',
  ':path',
  'Authorization',
];

/** Fields after a valid CheckRequest: a metadata_context nested past protobuf's limit, bytes that are not protobuf. */
const appendedToCheck: fc.Arbitrary<[Buffer, string, string | undefined]> = fc.oneof(
  deepPastProtobuf.map(([levels, kind]): [Buffer, string, string] => [
    // attributes (1) { metadata_context (11) { filter_metadata (1) { "x": Struct } } }
    lengthDelimited(
      1,
      lengthDelimited(
        11,
        lengthDelimited(
          1,
          Buffer.concat([Buffer.from([0x0a, 0x01, 0x78]), lengthDelimited(2, deepStructBytes(levels, kind))]),
        ),
      ),
    ),
    `metadata_context = a Struct nested ${levels} levels as ${kind}s`,
    'nested past protobuf decoding',
  ]),
  UNDECODABLE.map(([bytes, shown]): [Buffer, string, undefined] => [bytes, shown, undefined]),
);

/** Per kind, calls to Check: valid, near-valid and hostile. */
export function checkCases(context: GrpcFuzzContext): Record<string, fc.Arbitrary<GrpcCase>> {
  return {
    valid: checkWith(
      context,
      'valid request',
      fc.constant((parts) => parts),
    ),
    field: checkWith(
      context,
      'hostile request field',
      fc
        .tuple(fc.constantFrom(...CHECK_TEXT_FIELDS), anyText)
        .map(([field, text]) => (parts) => ({ ...parts, [field]: text })),
    ),
    header: checkWith(
      context,
      'hostile header',
      fc
        .tuple(fc.constantFrom(...HEADER_NAMES), anyText, fc.boolean())
        .map(([name, text, inName]) => (parts) => ({
          ...parts,
          headers: {
            ...parts.headers,
            ...(inName ? { [text]: 'v' } : { [name]: name === 'authorization' ? `Bearer ${text}` : text }),
          },
        })),
    ),
    port: checkWith(
      context,
      'hostile port',
      fc
        .oneof(
          rawNumberText,
          hostileString,
          fc.constantFrom('', ':', '80:90', '65536', '00443', '[::1]', ' 443'),
        )
        .map((port) => (parts) => ({ ...parts, host: `gitlab.company.com:${port}` })),
    ),
    principal: checkWith(
      context,
      'hostile source principal',
      anyText.map((principal) => (parts) => ({ ...parts, principal })),
    ),
    contextExtensions: checkWith(
      context,
      'hostile context_extensions',
      fc
        .array(fc.tuple(anyText, anyText), { minLength: 1, maxLength: 3 })
        .map((entries) => (parts) => ({ ...parts, contextExtensions: Object.fromEntries(entries) })),
    ),
    headerMap: checkWith(
      context,
      'headers as header_map',
      fc
        .option(
          fc.tuple(fc.constantFrom('x-zt-device-id', 'x-team', ':authority', ':method', ':path'), anyText),
        )
        .map((hostile) => (parts) => ({
          ...parts,
          headerMap: true,
          headers: hostile ? { ...parts.headers, [hostile[0]]: hostile[1] } : parts.headers,
        })),
    ),
    metadataContext: checkWith(
      context,
      'hostile metadata_context',
      fc
        .oneof(hostileStruct, deepStruct, wrongKindStruct)
        .map((struct) => (parts) => ({ ...parts, metadataContext: struct })),
    ),
    appended: fc.tuple(baseCheck(context), appendedToCheck).map(([parts, [bytes, shown, refused]]) => ({
      method: 'Check' as const,
      kind: 'raw bytes',
      message: checkMessage(parts),
      raw: { bytes, shown },
      metadata: {},
      refused,
    })),
    rawPath: fc.tuple(baseCheck(context), RAW_TEXT).map(([parts, [bytes, shown, refused]]) => {
      const path = `/${'~'.repeat(bytes.length)}`;
      return {
        method: 'Check' as const,
        kind: 'raw bytes in the path',
        message: checkMessage({ ...parts, path }),
        raw: { bytes: Buffer.from([0x2f, ...bytes]), shown: `path = ${shown}`, placeholder: path },
        metadata: {},
        refused: refused ? shown : undefined,
      };
    }),
  };
}

/**
 * A protobuf map as the server decodes it: keys are UTF-8 on the wire, so two keys that differ
 * only in lone surrogates arrive as one (U+FFFD), the later value winning.
 */
function asDecoded(map: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!map) return undefined;
  const utf8 = (text: string) => Buffer.from(text, 'utf8').toString('utf8');
  return Object.fromEntries(Object.entries(map).map(([key, value]) => [utf8(key), value]));
}

const SECRET_HEADERS = new Set(['cookie', 'set-cookie', 'proxy-authorization']);

/**
 * Why a CheckRequest must be refused, from the parts of it that reach the decision (docs/api.md,
 * gRPC): method, host, path, scheme, the source address and principal, `authorization`,
 * `:authority`, `:method`, `x-zt-device-id` and the headers passed into the context (from
 * `headers` or `header_map`), `context_extensions`; or a host whose port is not a number.
 * Undefined when nothing there is refused. The server may refuse more (its own size bounds):
 * this is what it must refuse at least.
 */
export function checkRefusal(message: Record<string, unknown>): string | undefined {
  const attributes = message.attributes as {
    source?: { principal?: string };
    context_extensions?: Record<string, string>;
    request: { http: CheckParts & { header_map?: { headers: { key: string; value: string }[] } } };
  };
  const { method, host, path, scheme } = attributes.request.http;
  // header_map names are read lower-cased, as Envoy's headers are.
  const headers =
    attributes.request.http.headers ??
    Object.fromEntries(
      (attributes.request.http.header_map?.headers ?? []).map((h) => [h.key.toLowerCase(), h.value]),
    );
  const judgedHeaders = Object.fromEntries(
    Object.entries(headers ?? {}).filter(
      ([name]) =>
        !SECRET_HEADERS.has(name.toLowerCase()) &&
        (name.toLowerCase() !== 'authorization' || name === 'authorization') &&
        (!name.startsWith(':') || name === ':authority' || name === ':method'),
    ),
  );
  const found = refusedInput({
    method,
    host,
    path,
    scheme,
    source: attributes.source,
    headers: judgedHeaders,
    context_extensions: asDecoded(attributes.context_extensions),
  });
  if (found) return found;
  // The peer identity is bounded (ext-authz.mapping.ts: 512 characters).
  if ((attributes.source?.principal?.length ?? 0) > 512) return 'source principal longer than 512';
  const port = (host ?? '').split(':')[1];
  return port && !/^\d{1,5}$/.test(port) ? `port ${JSON.stringify(port)}` : undefined;
}
