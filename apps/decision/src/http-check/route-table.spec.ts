import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRouteTable, RouteFile, routeFileErrors, RouteTable } from './route-table';

const file: RouteFile = {
  version: 1,
  routes: [
    { path: '/todos/{id}', method: 'DELETE', action: 'delete', resource: { type: 'todo', id: '{id}' } },
    { path: '/todos/{id}', method: ['GET', 'HEAD'], action: 'read', resource: { type: 'todo', id: '{id}' } },
    { path: '/todos/mine', action: 'list_mine', resource: { type: 'todo_list', id: 'mine' } },
    { path: '/files/{path...}', action: 'read', resource: { type: 'file', id: '{path}' } },
    {
      path: '/orgs/{org}/repos/{repo}',
      action: 'read',
      resource: { type: 'repo', id: '{org}/{repo}' },
    },
    {
      path: '/todos/{id}',
      host: 'admin.example.com',
      action: 'admin',
      resource: { type: 'todo', id: 'admin:{id}' },
    },
  ],
};

describe('RouteTable', () => {
  const table = new RouteTable(file);

  it('maps a method and a template to the action and the resource id, with the variables', () => {
    expect(table.match('DELETE', 'api.example.com', '/todos/42')).toEqual({
      index: 0,
      template: '/todos/{id}',
      action: 'delete',
      resource: { type: 'todo', id: '42' },
      params: { id: '42' },
    });
    expect(table.match('HEAD', 'api.example.com', '/todos/42')?.action).toBe('read');
    expect(table.match('POST', 'api.example.com', '/todos/42')).toBeUndefined();
  });

  it('prefers a literal segment to a variable, whatever the file order', () => {
    expect(table.match('GET', 'api.example.com', '/todos/mine')?.action).toBe('list_mine');
  });

  it('prefers a host-specific route', () => {
    expect(table.match('DELETE', 'admin.example.com', '/todos/42')?.resource.id).toBe('admin:42');
  });

  it('matches {name...} to one or more remaining segments, and one segment per {name}', () => {
    expect(table.match('GET', 'h', '/files/a/b/c.txt')?.params).toEqual({ path: 'a/b/c.txt' });
    expect(table.match('GET', 'h', '/files')).toBeUndefined();
    expect(table.match('GET', 'h', '/files/')).toBeUndefined();
    expect(table.match('GET', 'h', '/todos/42/extra')).toBeUndefined();
    expect(table.match('GET', 'h', '/todos/')).toBeUndefined();
    expect(table.match('GET', 'h', '/orgs/acme/repos/zt')?.resource.id).toBe('acme/zt');
  });

  it('percent-decodes variables', () => {
    expect(table.match('GET', 'h', '/todos/a%20b')?.resource.id).toBe('a b');
    expect(table.match('GET', 'h', '/todos/%C3%A9')?.resource.id).toBe('é');
    expect(table.match('GET', 'h', '/todos/%FF')?.resource.id).toBe('%FF');
  });

  it('orders by specificity, not file order: {name} before {name...}, method before any', () => {
    const ordered = new RouteTable({
      version: 1,
      routes: [
        { path: '/{rest...}', action: 'catch_all', resource: { type: 'any', id: '{rest}' } },
        { path: '/a/{x...}', action: 'a_rest', resource: { type: 'a', id: '{x}' } },
        { path: '/a/{x}/c', action: 'a_x_c', resource: { type: 'a', id: '{x}' } },
        { path: '/a/{x}', action: 'a_x_any', resource: { type: 'a', id: '{x}' } },
        { path: '/a/{x}', method: 'GET', action: 'a_x_get', resource: { type: 'a', id: '{x}' } },
        { path: '/', action: 'root', resource: { type: 'root', id: 'root' } },
        { path: '/a/', action: 'a_dir', resource: { type: 'a', id: 'dir' } },
      ],
    });
    const action = (method: string, path: string) => ordered.match(method, 'h', path)?.action;
    expect(action('GET', '/a/b/c')).toBe('a_x_c');
    expect(action('GET', '/a/b/d')).toBe('a_rest');
    expect(action('GET', '/a/b')).toBe('a_x_get');
    expect(action('PUT', '/a/b')).toBe('a_x_any');
    expect(action('GET', '/')).toBe('root');
    expect(action('GET', '/a/')).toBe('a_dir');
    expect(action('GET', '/z/y')).toBe('catch_all');
    expect(ordered.match('GET', 'h', '/z/y')?.params).toEqual({ rest: 'z/y' });
    expect(action('GET', '/z/')).toBeUndefined();
  });

  it('finds the one matching route among 10,000', () => {
    const many = new RouteTable({
      version: 1,
      routes: Array.from({ length: 10_000 }, (_, i) => ({
        method: 'GET',
        path: `/svc${i}/items/{id}`,
        action: `read${i}`,
        resource: { type: `t${i}`, id: '{id}' },
      })),
    });
    expect(many.match('GET', 'h', '/svc9999/items/7')).toMatchObject({ index: 9999, resource: { id: '7' } });
    expect(many.match('GET', 'h', '/svc10000/items/7')).toBeUndefined();
  });

  it('is empty by default, matching nothing', () => {
    expect(new RouteTable().match('GET', 'h', '/todos/1')).toBeUndefined();
  });
});

describe('routeFileErrors', () => {
  const route = { path: '/a/{id}', action: 'read', resource: { type: 't', id: '{id}' } };

  it('accepts a valid file', () => {
    expect(routeFileErrors(file)).toEqual([]);
  });

  it('names the version, missing and unknown members by pointer', () => {
    const pointers = routeFileErrors({ version: 2, routes: [{ ...route, action: undefined, extra: 1 }] }).map(
      (e) => e.pointer,
    );
    expect(pointers).toEqual(expect.arrayContaining(['/version', '/routes/0/action', '/routes/0/extra']));
  });

  it('refuses templates that are ambiguous or not normalized', () => {
    const errors = (path: string) =>
      routeFileErrors({ version: 1, routes: [{ ...route, path, resource: { type: 't', id: 'x' } }] });
    expect(errors('/a/../b')[0]).toMatchObject({
      pointer: '/routes/0/path',
      detail: expect.stringMatching(/normalized/),
    });
    expect(errors('/a//b')[0].detail).toMatch(/normalized/);
    expect(errors('/a/%2e')[0].detail).toMatch(/normalized/);
    expect(errors('/a/%2F')[0].detail).toMatch(/encoded \//);
    expect(errors('/a/{x}/{x}')[0].detail).toMatch(/twice/);
    expect(errors('/a/{rest...}/b')[0].detail).toMatch(/before its last segment/);
    expect(errors('/a/x{y}')[0].detail).toMatch(/neither literal/);
    expect(errors('/a/{__proto__}')[0].detail).toMatch(/neither literal/);
    expect(errors('/a?b=1')[0].detail).toMatch(/query/);
  });

  it('refuses a resource id using a variable the path does not define', () => {
    expect(
      routeFileErrors({ version: 1, routes: [{ ...route, resource: { type: 't', id: '{other}' } }] }),
    ).toEqual([{ pointer: '/routes/0/resource/id', detail: 'uses {other}, which the path does not define' }]);
  });
});

describe('loadRouteTable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'routes-'));

  it('loads nothing when ROUTES_FILE is unset', () => {
    expect(loadRouteTable(undefined).file.routes).toEqual([]);
  });

  it('loads a valid file', () => {
    const path = join(dir, 'ok.json');
    writeFileSync(path, JSON.stringify(file));
    expect(loadRouteTable(path).match('DELETE', 'h', '/todos/1')?.action).toBe('delete');
  });

  it('refuses to start on a bad file, naming the variable and the pointer', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({ version: 1, routes: [{ path: 'todos', action: 'a', resource: {} }] }),
    );
    expect(() => loadRouteTable(bad)).toThrow(
      /^ROUTES_FILE \(.*bad\.json\) is not a valid route file: .*\/routes\/0\/path/,
    );
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, '{');
    expect(() => loadRouteTable(notJson)).toThrow(/^ROUTES_FILE \(.*\) cannot be read as JSON/);
    expect(() => loadRouteTable(join(dir, 'missing.json'))).toThrow(/^ROUTES_FILE/);
  });
});
