import fc from 'fast-check';
import { Operation, Parameter } from './api-operations';
import {
  withDuplicateKey,
  withHostileMemberName,
  withHostileValue,
  withRawText,
  withWrongType,
  MutatedBody,
  placeIndex,
} from './body-mutations';
import { exampleBodyOf } from './example-bodies';
import {
  deepNesting,
  hostileString,
  hostileTargetText,
  invalidJsonBody,
  invalidUtf8Body,
  longString,
  oddContentType,
  rawNumberText,
  wrongTypeValue,
} from './hostile-values';
import { RawRequest } from './raw-http';
import { valueOf } from './schema-values';

/** What the fuzzers need to know about the running product: tokens and ids that exist. */
export interface FuzzContext {
  /** Every role and MFA: the request reaches validation and the handler. */
  fullToken: string;
  /** A valid token with no role at all. */
  rolelessToken: string;
  policyId: string;
  principalId: string;
  deviceId: string;
}

/** One request of a fuzz run, and what makes it hostile (for the report). */
export interface FuzzCase {
  operation: Operation;
  request: RawRequest;
  /** What kind of input it is (failures are grouped by it), e.g. `path parameter`. */
  kind: string;
  /** The exact change from a valid request. */
  change: string;
  /** The one status this request must get, when the input decides it (e.g. 415 for a form body). */
  expectedStatus?: number;
}

/** Parts of a request the categories vary; the rest stays valid. */
interface Parts {
  pathValues?: Record<string, string>;
  query?: string;
  headers?: [string, string][];
  token?: string | null;
  contentType?: string | null;
  body?: Uint8Array | null;
  kind: string;
  change: string;
  expectedStatus?: number;
}

/** A value that exists (or could) for a path parameter, as raw target text. */
function existingPathValue(operation: Operation, name: string, context: FuzzContext): string {
  if (name === 'asset') return 'swagger-ui-bundle.js';
  if (name === 'version') return '1';
  if (operation.path.includes('/principals/')) return encodeURIComponent(context.principalId);
  if (operation.path.includes('/devices/')) return encodeURIComponent(context.deviceId);
  return encodeURIComponent(context.policyId);
}

/** Header-safe text of a string: its UTF-8 bytes, one latin1 character each, as they go on the wire. */
function wireText(text: string): string {
  // CR and LF would end the header line and turn the rest into another header: not this test.
  return Buffer.from(text.replace(/[\r\n]/g, ''), 'utf8').toString('latin1');
}

/** Percent-encodes text for a query; a lone surrogate (which encodeURIComponent refuses) goes as U+FFFD. */
function percentEncoded(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9_.~-]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

function bytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'utf8'));
}

function paramsIn(operation: Operation, where: Parameter['in']): Parameter[] {
  return operation.parameters.filter((parameter) => parameter.in === where);
}

/** Assembles the raw request: the valid request with the category's parts put in. */
function assemble(operation: Operation, context: FuzzContext, parts: Parts): FuzzCase {
  const path = operation.path.replace(
    /\{(\w+)\}/g,
    (_, name: string) => parts.pathValues?.[name] ?? existingPathValue(operation, name, context),
  );
  const headers: [string, string][] = [];
  const token = parts.token === undefined ? context.fullToken : parts.token;
  if (token !== null) headers.push(['authorization', `Bearer ${token}`]);
  const body =
    parts.body === undefined
      ? operation.body
        ? bytes(JSON.stringify(exampleBodyOf(operation)))
        : null
      : parts.body;
  const contentType = parts.contentType === undefined ? 'application/json' : parts.contentType;
  if (body !== null && contentType !== null) headers.push(['content-type', contentType]);
  headers.push(...(parts.headers ?? []));
  return {
    operation,
    request: {
      method: operation.method,
      target: parts.query ? `${path}?${parts.query}` : path,
      headers,
      body: body ?? undefined,
    },
    kind: parts.kind,
    change: parts.change,
    ...(parts.expectedStatus ? { expectedStatus: parts.expectedStatus } : {}),
  };
}

/** A body: the documented example or a value generated from the schema (none for bodiless operations). */
function baseBody(operation: Operation): fc.Arbitrary<unknown> {
  if (!operation.body) return fc.constant({});
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(exampleBodyOf(operation)) },
    { weight: 1, arbitrary: valueOf(operation.body) },
  );
}

/** Request parts for a changed JSON body. */
function bodyParts(kind: string, mutated: MutatedBody): Parts {
  return { body: bytes(mutated.text), kind, change: `body: ${mutated.change}` };
}

/** Valid requests and near-valid ones: ids that exist or not, documented query values, wrong types, unknown members. */
function validOrNear(operation: Operation, context: FuzzContext): fc.Arbitrary<FuzzCase> {
  const query = fc
    .subarray(paramsIn(operation, 'query'))
    .chain((params) =>
      fc.tuple(...params.map((p) => valueOf(p.schema).map((v) => `${p.name}=${percentEncoded(String(v))}`))),
    )
    .map((pairs) => pairs.join('&'));
  const pathValues = fc.dictionary(
    fc.constantFrom(...paramsIn(operation, 'path').map((p) => p.name), 'none'),
    fc.stringMatching(/^[A-Za-z0-9_.:-]{1,24}$/),
    { maxKeys: 1 },
  );
  const body = fc.oneof(
    baseBody(operation).map((value) => ({ text: JSON.stringify(value), change: 'valid' })),
    fc
      .tuple(baseBody(operation), placeIndex, wrongTypeValue, fc.boolean())
      .map(([b, i, w, u]) => withWrongType(b, i, w, u)),
  );
  return fc.tuple(query, pathValues, body).map(([q, p, b]) =>
    assemble(operation, context, {
      query: q,
      pathValues: p,
      body: operation.body ? bytes(b.text) : null,
      kind: 'valid or near-valid request',
      change: `near-valid: ids ${JSON.stringify(p)}, query ${JSON.stringify(q)}, body ${b.change}`,
    }),
  );
}

/** NUL, encoded lone surrogates, invalid UTF-8 and other hostile text in path segments and query values and names. */
function hostileTargets(operation: Operation, context: FuzzContext): fc.Arbitrary<FuzzCase> {
  const names = [...paramsIn(operation, 'path'), ...paramsIn(operation, 'query')].map(
    (p) => `${p.in}:${p.name}`,
  );
  const where = fc.constantFrom(...names, 'query:zz_unknown', 'query-name', 'repeated-query');
  return fc.tuple(where, hostileTargetText).map(([at, text]) => {
    const [kind, name] = at.split(':');
    const what = `${JSON.stringify(text)} in `;
    if (kind === 'path') {
      return assemble(operation, context, {
        pathValues: { [name]: text },
        kind: `${what}a path parameter`,
        change: `path ${name}=${text}`,
      });
    }
    if (kind === 'query-name') {
      return assemble(operation, context, {
        query: `${text}=1`,
        kind: `${what}a query name`,
        change: `query name ${text}`,
      });
    }
    if (kind === 'repeated-query') {
      const param = paramsIn(operation, 'query')[0]?.name ?? 'limit';
      return assemble(operation, context, {
        query: `${param}=1&${param}=${text}`,
        kind: `${what}a repeated query parameter`,
        change: `query ${param} twice`,
      });
    }
    return assemble(operation, context, {
      query: `${name}=${text}`,
      kind: `${what}a query value`,
      change: `query ${name}=${text}`,
    });
  });
}

/** NUL, lone surrogates and control characters in body strings and member names. */
function hostileBodyStrings(operation: Operation): fc.Arbitrary<Parts> {
  return fc
    .tuple(baseBody(operation), placeIndex, hostileString, fc.boolean())
    .map(([b, i, s, asName]) =>
      asName
        ? bodyParts(`${JSON.stringify(s)} in a body member name`, withHostileMemberName(b, i, s))
        : bodyParts(`${JSON.stringify(s)} in a body value`, withHostileValue(b, i, s)),
    );
}

/** Deep nesting, as raw JSON text, at some place of the body. */
function deepBodies(operation: Operation): fc.Arbitrary<Parts> {
  return fc
    .tuple(baseBody(operation), placeIndex, deepNesting)
    .map(([b, i, raw]) =>
      bodyParts(
        `nesting ${raw.startsWith('[[') ? 'arrays' : 'objects'} deeper than the limit`,
        withRawText(b, i, raw),
      ),
    );
}

/** Huge, non-finite-when-parsed and unsafe numbers, as raw JSON text, at some place of the body. */
function numberBodies(operation: Operation): fc.Arbitrary<Parts> {
  return fc
    .tuple(baseBody(operation), placeIndex, rawNumberText, fc.boolean())
    .map(([b, i, raw, numeric]) => bodyParts(`the number ${raw} in a body`, withRawText(b, i, raw, numeric)));
}

/** Strings past every documented maxLength in the body, a path segment, a query value or a header. */
function longValues(operation: Operation, context: FuzzContext): fc.Arbitrary<FuzzCase> {
  const inBody = fc
    .tuple(baseBody(operation), placeIndex, longString)
    .map(([b, i, s]) =>
      assemble(operation, context, bodyParts('a long body string', withHostileValue(b, i, s))),
    );
  const length = fc.constantFrom(101, 2_000, 9_000, 70_000);
  const inTarget = fc.tuple(length, fc.boolean()).map(([n, inPath]) => {
    const pathName = paramsIn(operation, 'path')[0]?.name;
    const text = 'x'.repeat(n);
    return pathName && inPath
      ? assemble(operation, context, {
          pathValues: { [pathName]: text },
          kind: `a path parameter of ${n} characters`,
          change: `path ${pathName} of ${n} characters`,
        })
      : assemble(operation, context, {
          query: `${paramsIn(operation, 'query')[0]?.name ?? 'q'}=${text}`,
          kind: `a query value of ${n} characters`,
          change: `query value of ${n} characters`,
        });
  });
  const headerNames = [
    'zt-change-reason',
    'if-match',
    'x-correlation-id',
    'zt-min-revision',
    'authorization',
    'x-zz-unknown',
  ];
  const inHeader = fc.tuple(fc.constantFrom(...headerNames), length).map(([name, n]) =>
    assemble(operation, context, {
      ...(name === 'authorization' ? { token: 'e'.repeat(n) } : { headers: [[name, 'r'.repeat(n)]] }),
      kind: `a header of ${n} characters`,
      change: `header ${name} of ${n} characters`,
    }),
  );
  return fc.oneof(inBody, inTarget, inHeader);
}

const NOT_JSON = new Set([
  'application/x-www-form-urlencoded',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/octet-stream',
]);

/** Odd content types, empty, invalid and non-UTF-8 JSON, and duplicate member names. */
function oddBodies(operation: Operation): fc.Arbitrary<Parts> {
  const typed = fc.tuple(baseBody(operation), oddContentType).map(([b, type]) => ({
    body: bytes(type?.startsWith('application/x-www-form') ? 'name=a&effect=allow' : JSON.stringify(b)),
    contentType: type ?? null,
    // A route that reads JSON must refuse a body that says it is something else (docs/api.md: 415;
    // the AuthZEN endpoints answer 400, as the AuthZEN transport requires).
    ...(operation.body && type !== undefined && NOT_JSON.has(type)
      ? { expectedStatus: operation.path.startsWith('/access/v1/') ? 400 : 415 }
      : {}),
    kind: `content-type ${JSON.stringify(type)}`,
    change: `content-type ${JSON.stringify(type)}`,
  }));
  const invalid = fc.oneof(invalidJsonBody, invalidUtf8Body).map((body) => ({
    body,
    kind: 'a body that is not JSON (or not UTF-8)',
    change: `body ${JSON.stringify(Buffer.from(body).toString('latin1').slice(0, 40))}`,
  }));
  const utf16 = baseBody(operation).map((b) => ({
    body: new Uint8Array(Buffer.from(JSON.stringify(b), 'utf16le')),
    contentType: 'application/json; charset=utf-16',
    kind: 'a UTF-16 body',
    change: 'a UTF-16 body',
  }));
  const duplicate = fc
    .tuple(baseBody(operation), placeIndex, fc.oneof(wrongTypeValue, hostileString))
    .map(([b, i, second]) => bodyParts('a duplicate member name', withDuplicateKey(b, i, second)));
  return fc.oneof(typed, invalid, utf16, duplicate);
}

/** Hostile headers: tokens, correlation ids, min revision, If-Match, change reason, raw bytes. */
function hostileHeaders(operation: Operation, context: FuzzContext): fc.Arbitrary<FuzzCase> {
  const tokens = fc.constantFrom<[string | null, string]>(
    [null, 'no token'],
    [context.rolelessToken, 'a token without roles'],
    ['not.a.jwt', 'a malformed token'],
    ['', 'an empty bearer token'],
    [`${context.fullToken.slice(0, -4)}AAAA`, 'a token with a bad signature'],
    ['eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'an alg=none token'],
  );
  const headerValue = fc.oneof(
    hostileString.map(wireText),
    rawNumberText,
    fc.constantFrom('"1"', 'W/"1"', '*', '"-1"', '"1e309"', 'bad', '\u0000', '\u00ff\u00fe'),
  );
  const named = fc.tuple(
    fc.constantFrom(
      'zt-change-reason',
      'if-match',
      'x-correlation-id',
      'zt-min-revision',
      'accept',
      'x-zt-device-id',
    ),
    headerValue,
  );
  return fc.oneof(
    tokens.map(([token, what]) => assemble(operation, context, { token, kind: what, change: what })),
    named.map(([name, value]) =>
      assemble(operation, context, {
        headers: [[name, value]],
        kind: `a hostile ${name} header`,
        change: `header ${name}: ${JSON.stringify(value)}`,
      }),
    ),
  );
}

/** A kind of input, and whether it is about bodies (then only operations that document one get it). */
export interface Category {
  bodiesOnly: boolean;
  requests(operation: Operation, context: FuzzContext): fc.Arbitrary<FuzzCase>;
}

function ofBodies(parts: (operation: Operation) => fc.Arbitrary<Parts>): Category {
  return { bodiesOnly: true, requests: (op, ctx) => parts(op).map((p) => assemble(op, ctx, p)) };
}

/**
 * The fuzz categories. Each drives every operation, except that hostile JSON bodies go to the
 * operations that document a body (every route gets bodies in the content-type category).
 */
export const CATEGORIES: Record<string, Category> = {
  'valid and near-valid requests': { bodiesOnly: false, requests: validOrNear },
  'NUL, lone surrogates and invalid UTF-8 in path and query parameters': {
    bodiesOnly: false,
    requests: hostileTargets,
  },
  'NUL, lone surrogates and controls in body strings and member names': ofBodies(hostileBodyStrings),
  'deep nesting in bodies': ofBodies(deepBodies),
  'huge, non-finite and unsafe numbers in bodies': ofBodies(numberBodies),
  'strings past every documented length': { bodiesOnly: false, requests: longValues },
  'odd content types, invalid JSON and duplicate keys': {
    bodiesOnly: false,
    requests: (op, ctx) => oddBodies(op).map((parts) => assemble(op, ctx, parts)),
  },
  'hostile tokens and headers': { bodiesOnly: false, requests: hostileHeaders },
};
