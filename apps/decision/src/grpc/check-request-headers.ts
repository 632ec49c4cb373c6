import { InputProblem, inputProblems } from '@zt/contracts';

/**
 * The headers of Envoy's HttpRequest, whichever way Envoy sent them: the `headers` map, or the
 * `header_map` (a list of key and `value` or `raw_value` bytes) that Envoy sends instead when the
 * filter sets `encode_raw_headers: true`.
 */

/** One HeaderValue of a HeaderMap as proto-loader hands it over (bytes as a Buffer). */
export interface HeaderValueMessage {
  key?: string;
  value?: string;
  raw_value?: Uint8Array | null;
}

/** The two spellings of the request's headers in envoy.service.auth.v3.AttributeContext.HttpRequest. */
export interface HeaderFields {
  headers?: Record<string, string>;
  header_map?: { headers?: HeaderValueMessage[] } | null;
}

/** The request's headers by lower-case name, and where each came from in the CheckRequest. */
export interface CheckHeaders {
  headers: Record<string, string>;
  /** The pointer of a header's field in the CheckRequest, by lower-case name. */
  pointerOf(name: string): string;
  /** Headers `header_map` could not give (raw bytes that are not UTF-8, an empty key). */
  problems: InputProblem[];
}

const HTTP = '/attributes/request/http';
const utf8 = new TextDecoder('utf-8', { fatal: true });

function escaped(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * The headers of a check. From `header_map`: names lower-cased, `raw_value` read as UTF-8 (else
 * a problem, never a guess), repeated names joined with `,` as Envoy joins them in `headers`
 * (RFC 9110 §5.3). A request carrying both spellings is refused: Envoy sends one, and two
 * disagreeing sources of one header (the token) would be ambiguous.
 */
export function checkHeadersOf(http: HeaderFields): CheckHeaders {
  const entries = http.header_map?.headers ?? [];
  const map = http.headers ?? {};
  if (entries.length === 0) {
    const headers: Record<string, string> = {};
    const names = new Map<string, string>();
    for (const [name, value] of Object.entries(map)) {
      headers[name.toLowerCase()] = value;
      names.set(name.toLowerCase(), name);
    }
    return {
      headers,
      pointerOf: (name) => `${HTTP}/headers/${escaped(names.get(name) ?? name)}`,
      problems: [],
    };
  }
  const problems: InputProblem[] = [];
  if (Object.keys(map).length > 0)
    problems.push({
      pointer: `${HTTP}/headers`,
      detail: 'is set as well as header_map: Envoy sends one of them',
    });
  const headers: Record<string, string> = {};
  const first = new Map<string, number>();
  for (const [i, entry] of entries.entries()) {
    const pointer = `${HTTP}/header_map/headers/${i}`;
    const name = (entry.key ?? '').toLowerCase();
    if (name === '') {
      problems.push({ pointer: `${pointer}/key`, detail: 'is empty' });
      continue;
    }
    let value = entry.value ?? '';
    if (entry.raw_value && entry.raw_value.length > 0) {
      try {
        value = utf8.decode(entry.raw_value);
      } catch {
        problems.push({ pointer: `${pointer}/raw_value`, detail: 'is not UTF-8 text' });
        continue;
      }
    }
    if (first.has(name)) headers[name] = `${headers[name]},${value}`;
    else {
      first.set(name, i);
      headers[name] = value;
    }
  }
  return {
    headers,
    pointerOf: (name) => `${HTTP}/header_map/headers/${first.get(name) ?? 0}`,
    problems,
  };
}

/** What the input rule refuses in the named headers (their names and values), with their pointers. */
export function headerProblems(check: CheckHeaders, names: string[]): InputProblem[] {
  return names.flatMap((name) => [
    ...inputProblems(name, check.pointerOf(name)).map((p) => ({ ...p, detail: `name ${p.detail}` })),
    ...inputProblems(check.headers[name], check.pointerOf(name)),
  ]);
}
