/**
 * The one canonical form of a request path that every HTTP-shaped check (Envoy ext_authz,
 * forward-auth) matches policies and routes against, whatever the gateway did or did not
 * normalize before asking. A path whose meaning depends on who reads it is refused: the
 * upstream behind the gateway may read it differently from us, and a policy written for
 * `/public/*` must not allow what the upstream serves as `/admin/...`.
 *
 * Rules, in order:
 * 1. The query (after the first `?`) is split off and returned as sent; the fragment (after the
 *    first `#`) is dropped. Neither is matched against.
 * 2. Refused: a path that does not start with `/` (authority-form, asterisk-form, absolute-form),
 *    one longer than {@link MAX_PATH_LENGTH}, control characters (U+0000-U+001F, U+007F) in the
 *    path or query, a raw backslash (some servers read it as `/`).
 * 3. Percent escapes: an invalid one (`%zz`, `%4`, a `%` at the end) is refused; `%2F` and `%5C`
 *    (an encoded `/` or `\`) are refused, since servers disagree on whether they separate
 *    segments; an encoded control character is refused; an encoded unreserved character
 *    (RFC 3986 §2.3: ALPHA DIGIT `-` `.` `_` `~`) is decoded, so `%2e` is `.` and `%41` is `A`;
 *    every other escape stays encoded with upper-case hex digits (§6.2.2.1).
 * 4. Double encoding: `%25` followed by two hex digits (`%252e`, `%252F`) is refused. We decode
 *    once, and would see the literal text `%2e`; an upstream (or a second proxy) that decodes
 *    twice would see `.` or `/`. `%25` not followed by two hex digits (`/100%25`) is kept.
 * 5. Characters outside the path's character set (a raw space, `"`, `<`, non-ASCII text) are
 *    percent-encoded as UTF-8, so a raw and an encoded spelling are the same path.
 * 6. Empty segments are merged (`//admin` is `/admin`, `/a//b` is `/a/b`); a trailing `/` is
 *    kept (`/a/` and `/a` may be different resources).
 * 7. Dot segments are removed (RFC 3986 §5.2.4) after the decoding of step 3, so `/%2e%2e/` is
 *    removed like `/../`; `..` at the root stays at the root (`/../a` is `/a`).
 * 8. A segment `..;x` or `.;x` is refused: Tomcat and Jetty strip `;` parameters before
 *    resolving dot segments, so `/public/..;/admin` reaches them as `/admin`.
 */

/** What normalization makes of a raw request target. */
export type NormalizedPath = { ok: true; path: string; query: string } | { ok: false; detail: string };

/** The longest path (before normalization) accepted; longer ones are refused. */
export const MAX_PATH_LENGTH = 8_192;

const HEX = /^[0-9A-Fa-f]{2}$/;

/** ASCII code points by class: 1 may stay as written in a path, 2 is unreserved (decoded from an escape). */
const ASCII_CLASS = (() => {
  const table = new Uint8Array(128);
  // RFC 3986 §3.3: pchar = unreserved / pct-encoded / sub-delims / ":" / "@", plus "/" between segments.
  for (const char of "!$&'()*+,;=:@/") table[char.charCodeAt(0)] = 1;
  for (const char of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~')
    table[char.charCodeAt(0)] = 2;
  return table;
})();
const PERCENT = 0x25;
const BACKSLASH = 0x5c;

function refused(detail: string): NormalizedPath {
  return { ok: false, detail };
}

/** The first control character of `text` as a refusal, or undefined. */
function controlIn(text: string, where: string): NormalizedPath | undefined {
  // eslint-disable-next-line no-control-regex
  const match = /[\u0000-\u001f\u007f]/.exec(text);
  if (!match) return undefined;
  const code = match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  return refused(`${where} contains the control character U+${code}`);
}

/**
 * Step 3-5: the path with escapes checked and made canonical, unreserved characters decoded and
 * characters outside the path's set encoded; or a refusal. Runs of characters that stay as they
 * are are copied in one slice: most paths are copied whole.
 */
function canonicalEscapes(path: string): { ok: true; text: string } | { ok: false; detail: string } {
  let out = '';
  let copied = 0;
  for (let i = 0; i < path.length; i++) {
    const code = path.charCodeAt(i);
    if (code < 128 && ASCII_CLASS[code] !== 0) continue;
    out += path.slice(copied, i);
    if (code === PERCENT) {
      const hex = path.slice(i + 1, i + 3);
      if (!HEX.test(hex)) return { ok: false, detail: `has an invalid percent escape at offset ${i}` };
      const byte = parseInt(hex, 16);
      if (byte === 0x2f || byte === BACKSLASH)
        return { ok: false, detail: `has an encoded ${byte === 0x2f ? '/' : '\\'} (%${hex}) at offset ${i}` };
      if (byte < 0x20 || byte === 0x7f)
        return { ok: false, detail: `has an encoded control character (%${hex}) at offset ${i}` };
      if (byte === PERCENT && HEX.test(path.slice(i + 3, i + 5)))
        return {
          ok: false,
          detail: `is percent-encoded twice (%25${path.slice(i + 3, i + 5)}) at offset ${i}`,
        };
      out += byte < 128 && ASCII_CLASS[byte] === 2 ? String.fromCharCode(byte) : `%${hex.toUpperCase()}`;
      i += 2;
    } else if (code === BACKSLASH) {
      return { ok: false, detail: `has a backslash at offset ${i}` };
    } else {
      const whole = String.fromCodePoint(path.codePointAt(i) ?? 0);
      try {
        out += encodeURIComponent(whole);
      } catch {
        return { ok: false, detail: `has a lone surrogate at offset ${i}` };
      }
      i += whole.length - 1;
    }
    copied = i + 1;
  }
  return { ok: true, text: copied === 0 ? path : out + path.slice(copied) };
}

/** Steps 6-8: the segments merged and dot segments removed; or a refusal. */
function resolvedSegments(text: string): { ok: true; path: string } | { ok: false; detail: string } {
  const segments = text.split('/').slice(1);
  const out: string[] = [];
  // A path ending in `/`, `/.` or `/..` names a directory: RFC 3986 §5.2.4 keeps the slash.
  let trailingSlash = false;
  for (const segment of segments) {
    if (/^\.\.?;/.test(segment))
      return { ok: false, detail: `has a dot segment with parameters (${segment})` };
    trailingSlash = segment === '' || segment === '.' || segment === '..';
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  const joined = `/${out.join('/')}`;
  return { ok: true, path: trailingSlash && out.length > 0 ? `${joined}/` : joined };
}

/**
 * A raw request target (`:path`, `X-Original-URI`, `X-Forwarded-Uri`) as its canonical path and
 * its query; `ok: false` with the reason when the path's meaning is ambiguous (see the rules at
 * the top of this file). Callers deny such a request: it is never allowed.
 */
export function normalizeRequestPath(raw: string): NormalizedPath {
  const hash = raw.indexOf('#');
  const target = hash < 0 ? raw : raw.slice(0, hash);
  const question = target.indexOf('?');
  const path = question < 0 ? target : target.slice(0, question);
  const query = question < 0 ? '' : target.slice(question + 1);
  if (!path.startsWith('/')) return refused('is not an absolute path (it must start with /)');
  if (path.length > MAX_PATH_LENGTH) return refused(`is longer than ${MAX_PATH_LENGTH} characters`);
  const control = controlIn(path, 'the path') ?? controlIn(query, 'the query');
  if (control) return control;
  const escaped = canonicalEscapes(path);
  if (!escaped.ok) return refused(`the path ${escaped.detail}`);
  const resolved = resolvedSegments(escaped.text);
  if (!resolved.ok) return refused(`the path ${resolved.detail}`);
  return { ok: true, path: resolved.path, query };
}
