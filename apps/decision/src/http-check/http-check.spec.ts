import { decisionBodyOfHttpCheck, HttpCheck, splitAuthority } from './http-check';
import { RouteTable } from './route-table';

const routes = new RouteTable({
  version: 1,
  routes: [
    { method: 'DELETE', path: '/todos/{id}', action: 'delete', resource: { type: 'todo', id: '{id}' } },
  ],
});

const check: HttpCheck = {
  method: 'delete',
  scheme: 'https',
  host: 'API.example.com',
  port: 8443,
  rawPath: '/todos/42?force=1',
  headers: { 'user-agent': 'curl/8' },
  sourceIp: '10.0.0.7',
  deviceId: 'laptop-7',
};

describe('decisionBodyOfHttpCheck', () => {
  it('maps a routed request to the route action and resource, variables in attributes and context', () => {
    const mapping = decisionBodyOfHttpCheck(check, routes);
    expect(mapping).toEqual({
      ok: true,
      route: '/todos/{id}',
      body: {
        action: 'delete',
        resource: { type: 'todo', id: '42', attributes: { id: '42' } },
        context: {
          http: {
            method: 'DELETE',
            scheme: 'https',
            host: 'api.example.com',
            port: 8443,
            path: '/todos/42',
            query: 'force=1',
            headers: { 'user-agent': 'curl/8' },
          },
          ip: '10.0.0.7',
          device: { id: 'laptop-7' },
          route: { template: '/todos/{id}', index: 0, params: { id: '42' } },
        },
      },
    });
  });

  it('falls back to action = method and resource http host + normalized path', () => {
    const mapping = decisionBodyOfHttpCheck(
      { ...check, method: 'GET', rawPath: '/public/%2e%2e/admin/users' },
      routes,
    );
    expect(mapping.ok && mapping.route).toBeUndefined();
    expect(mapping.ok && mapping.body.action).toBe('GET');
    expect(mapping.ok && mapping.body.resource).toEqual({
      type: 'http',
      id: 'api.example.com/admin/users',
      attributes: {
        host: 'api.example.com',
        path: '/admin/users',
        method: 'GET',
        scheme: 'https',
        port: 8443,
      },
    });
  });

  it('routes the normalized path, so traversal cannot reach another route', () => {
    const mapping = decisionBodyOfHttpCheck({ ...check, rawPath: '/public/../todos/7' }, routes);
    expect(mapping.ok && mapping.body.resource.id).toBe('7');
  });

  it('refuses an ambiguous path with the reason', () => {
    expect(decisionBodyOfHttpCheck({ ...check, rawPath: '/public/..%2fadmin' }, routes)).toEqual({
      ok: false,
      reason: expect.stringMatching(/encoded \//),
    });
  });
});

describe('splitAuthority', () => {
  it('splits host and port, IPv6 included, in lower case without a trailing dot', () => {
    expect(splitAuthority('API.Example.com.:8443')).toEqual({ host: 'api.example.com', port: 8443 });
    expect(splitAuthority('example.com')).toEqual({ host: 'example.com', port: undefined });
    expect(splitAuthority('[::1]:9090')).toEqual({ host: '[::1]', port: 9090 });
    expect(splitAuthority('[::1]')).toEqual({ host: '[::1]', port: undefined });
    expect(splitAuthority('a.example:8o').port).toBeNaN();
    expect(splitAuthority('a.example:99999').port).toBeNaN();
  });
});
