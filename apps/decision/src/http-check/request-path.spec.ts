import { MAX_PATH_LENGTH, normalizeRequestPath } from './request-path';

function pathOf(raw: string): string {
  const normalized = normalizeRequestPath(raw);
  if (!normalized.ok) throw new Error(`refused ${raw}: ${normalized.detail}`);
  return normalized.path;
}

function refusal(raw: string): string {
  const normalized = normalizeRequestPath(raw);
  if (normalized.ok) throw new Error(`accepted ${raw} as ${normalized.path}`);
  return normalized.detail;
}

describe('normalizeRequestPath', () => {
  it('removes dot segments, raw or percent-encoded, before anything matches the path', () => {
    expect(pathOf('/public/../admin/users')).toBe('/admin/users');
    expect(pathOf('/public/%2e%2e/admin/users')).toBe('/admin/users');
    expect(pathOf('/public/%2E%2E/admin/users')).toBe('/admin/users');
    expect(pathOf('/public/.%2e/admin/users')).toBe('/admin/users');
    expect(pathOf('/public/%2e./admin')).toBe('/admin');
    expect(pathOf('/a/./b')).toBe('/a/b');
    expect(pathOf('/a/%2E/b')).toBe('/a/b');
    expect(pathOf('/a/b/../../../../etc/passwd')).toBe('/etc/passwd');
    expect(pathOf('/../admin')).toBe('/admin');
    expect(pathOf('/a/b/..')).toBe('/a/');
    expect(pathOf('/a/b/.')).toBe('/a/b/');
    expect(pathOf('/..')).toBe('/');
  });

  it('merges empty segments and keeps a trailing slash', () => {
    expect(pathOf('//admin')).toBe('/admin');
    expect(pathOf('/a//b///c')).toBe('/a/b/c');
    expect(pathOf('/public//../admin')).toBe('/admin');
    expect(pathOf('/a/')).toBe('/a/');
    expect(pathOf('/a')).toBe('/a');
    expect(pathOf('/')).toBe('/');
  });

  it('splits off the query and drops the fragment', () => {
    expect(normalizeRequestPath('/todos/1?x=%2f..&y=1#frag')).toEqual({
      ok: true,
      path: '/todos/1',
      query: 'x=%2f..&y=1',
    });
    expect(normalizeRequestPath('/a#b?c')).toEqual({ ok: true, path: '/a', query: '' });
    expect(normalizeRequestPath('/a/../b?')).toEqual({ ok: true, path: '/b', query: '' });
  });

  it('decodes unreserved characters only, and writes other escapes in upper case', () => {
    expect(pathOf('/%61dmin/%7Euser')).toBe('/admin/~user');
    expect(pathOf('/a%20b/%c3%a9')).toBe('/a%20b/%C3%A9');
    expect(pathOf('/a%3Bb/%40')).toBe('/a%3Bb/%40');
  });

  it('encodes characters outside the path set, so raw and encoded spellings are one path', () => {
    expect(pathOf('/é')).toBe(pathOf('/%C3%A9'));
    expect(pathOf('/a b')).toBe('/a%20b');
    expect(pathOf('/😀')).toBe('/%F0%9F%98%80');
  });

  it('refuses an encoded slash or backslash, which servers disagree on', () => {
    expect(refusal('/public/%2E%2E%2Fadmin')).toMatch(/encoded \/ \(%2F\)/);
    expect(refusal('/public/..%2fadmin')).toMatch(/encoded \//);
    expect(refusal('/public/%5c..%5cadmin')).toMatch(/encoded \\/);
    expect(refusal('/public/..\\admin')).toMatch(/backslash/);
    expect(refusal('/files/a%2Fb')).toMatch(/encoded \//);
  });

  it('refuses invalid and truncated escapes', () => {
    expect(refusal('/a%zz')).toMatch(/invalid percent escape at offset 2/);
    expect(refusal('/a%4')).toMatch(/invalid percent escape/);
    expect(refusal('/a%')).toMatch(/invalid percent escape/);
    expect(refusal('/a%%30')).toMatch(/invalid percent escape/);
  });

  it('refuses double encoding that would decode to an escape (%252e, %252F)', () => {
    expect(refusal('/public/%252e%252e/admin')).toMatch(/percent-encoded twice \(%252e\)/);
    expect(refusal('/public/%252F')).toMatch(/twice/);
    expect(pathOf('/discount/100%25')).toBe('/discount/100%25');
    expect(pathOf('/discount/100%25off')).toBe('/discount/100%25off');
  });

  it('refuses control characters, raw or encoded, in the path and the query', () => {
    expect(refusal('/a\u0000b')).toMatch(/U\+0000/);
    expect(refusal('/a\tb')).toMatch(/U\+0009/);
    expect(refusal('/a\u007f')).toMatch(/U\+007F/);
    expect(refusal('/a%00b')).toMatch(/encoded control character \(%00\)/);
    expect(refusal('/a%0d%0aSet-Cookie:x')).toMatch(/control/);
    expect(refusal('/a?x=\r\n')).toMatch(/query contains the control character U\+000D/);
  });

  it('refuses dot segments with parameters (Tomcat reads /..;/ as /../)', () => {
    expect(refusal('/public/..;/admin')).toMatch(/dot segment with parameters/);
    expect(refusal('/public/%2e%2e;x=1/admin')).toMatch(/dot segment with parameters/);
    expect(refusal('/public/.;/admin')).toMatch(/dot segment/);
    expect(pathOf('/public/a;v=1/b')).toBe('/public/a;v=1/b');
  });

  it('refuses what is not an absolute path', () => {
    expect(refusal('')).toMatch(/absolute path/);
    expect(refusal('*')).toMatch(/absolute path/);
    expect(refusal('admin/users')).toMatch(/absolute path/);
    expect(refusal('http://evil.example/admin')).toMatch(/absolute path/);
    expect(refusal('?a=1')).toMatch(/absolute path/);
  });

  it('refuses a lone surrogate and an overlong path', () => {
    expect(refusal('/a\uD800b')).toMatch(/lone surrogate/);
    expect(refusal(`/${'a'.repeat(MAX_PATH_LENGTH)}`)).toMatch(/longer than/);
  });
});
