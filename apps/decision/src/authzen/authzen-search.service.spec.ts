import { performance } from 'node:perf_hooks';
import { MemoryCache } from '@zt/cache';
import type { Principal } from '@zt/auth';
import type { AppConfig } from '@zt/config';
import { ProblemError } from '@zt/http';
import { Registry } from 'prom-client';
import { RateLimiter } from '../decisions/rate-limiter';
import { DeviceStateStore } from '../device-state/device-state.store';
import { PolicyState } from '../policy-state/policy-state';
import { SearchEvaluator } from './authzen-search.evaluator';
import type { SearchKind, SearchResponse } from './authzen-search.mapping';
import { AuthzenSearchService, SEARCH_MAX_CANDIDATES, searchCost } from './authzen-search.service';

const config = {
  RATE_LIMIT_PER_SECOND: 0,
  MIN_REVISION_WAIT_MS: 10,
  DEVICE_RISK_RESTRICTION: 'deny',
  DEVICE_STATE_TTL_SECONDS: 3600,
} as unknown as AppConfig;

const principal = (sub: string, roles: string[] = []): Principal => ({
  sub,
  roles,
  groups: [],
  amr: ['pwd'],
  mfa: false,
  expiresAt: 0,
  claims: {},
});
const pep = principal('gateway', ['pep']);

let revision = 0;
function world(): { state: PolicyState; service: AuthzenSearchService; devices: DeviceStateStore } {
  revision = 0;
  const state = new PolicyState();
  const devices = new DeviceStateStore(config);
  devices.markLoaded();
  const limiter = new RateLimiter(new MemoryCache(), config, new Registry());
  const service = new AuthzenSearchService(
    state,
    new SearchEvaluator(state, devices, config),
    limiter,
    config,
    new Registry(),
  );
  return { state, service, devices };
}

function policy(state: PolicyState, document: Record<string, unknown>): void {
  state.apply({
    policyId: document.id as string,
    revision: ++revision,
    version: 1,
    format: 'zt',
    document: { name: document.id, effect: 'allow', ...document },
  });
}

function user(
  state: PolicyState,
  id: string,
  roles: string[],
  attributes: Record<string, unknown> = {},
): void {
  state.applyPrincipal({
    principalId: id,
    revision: ++revision,
    principal: { id, type: 'user', roles, groups: [], attributes },
  });
}

function resource(state: PolicyState, type: string, id: string, properties: Record<string, unknown>): void {
  state.applyResource({
    resourceType: type,
    resourceId: id,
    revision: ++revision,
    resource: { type, id, properties },
  });
}

const ids = (answer: SearchResponse) => answer.results.map((r) => ('id' in r ? r.id : r.name));

async function problemOf(promise: Promise<unknown>): Promise<ProblemError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProblemError) return error;
    throw error;
  }
  throw new Error('expected a problem');
}

describe('AuthzenSearchService', () => {
  it('finds subjects through policies: roles, owners by CEL, and the directory for facts', async () => {
    const { state, service } = world();
    user(state, 'ann', ['editor']);
    user(state, 'ben', []);
    user(state, 'cid', []);
    resource(state, 'doc', 'd1', { owner: 'ben' });
    policy(state, { id: 'editors', subjects: ['role:editor'], resources: ['d*'], actions: ['edit'] });
    policy(state, {
      id: 'owners',
      subjects: ['*'],
      resources: ['d*'],
      actions: ['edit'],
      conditions: { expression: 'resource.properties.owner == subject.id' },
    });
    const body = { subject: { type: 'user' }, action: { name: 'edit' }, resource: { type: 'doc', id: 'd1' } };
    expect(ids(await service.search('subject', body, pep))).toEqual(['ann', 'ben']);
  });

  it('a deny policy takes a candidate away; the index skips what no allowing policy covers', async () => {
    const { state, service } = world();
    for (let i = 0; i < 50; i++) user(state, `u${String(i).padStart(2, '0')}`, i < 3 ? ['editor'] : []);
    policy(state, { id: 'editors', subjects: ['role:editor'], resources: ['*'], actions: ['edit'] });
    policy(state, {
      id: 'no-u01',
      subjects: ['user:u01'],
      resources: ['*'],
      actions: ['edit'],
      effect: 'deny',
    });
    const answer = await service.search(
      'subject',
      { subject: { type: 'user' }, action: { name: 'edit' }, resource: { type: 'doc', id: 'x' } },
      pep,
    );
    expect(ids(answer)).toEqual(['u00', 'u02']);
    // Three editors of fifty users were evaluated.
    expect(answer.context.evaluated).toBe(3);
  });

  it('finds resources of a type under the literal prefixes of allowing globs only', async () => {
    const { state, service } = world();
    user(state, 'ann', ['team-a']);
    for (const team of ['a', 'b']) for (let i = 0; i < 5; i++) resource(state, 'doc', `${team}/${i}`, {});
    resource(state, 'img', 'a/9', {});
    policy(state, { id: 'team-a', subjects: ['role:team-a'], resources: ['a/*'], actions: ['read'] });
    const answer = await service.search(
      'resource',
      { subject: { type: 'user', id: 'ann' }, action: { name: 'read' }, resource: { type: 'doc' } },
      pep,
    );
    expect(ids(answer)).toEqual(['a/0', 'a/1', 'a/2', 'a/3', 'a/4']);
    expect(answer.context.evaluated).toBe(5);
  });

  it('finds actions among those the policies name, `*` standing for all of them', async () => {
    const { state, service } = world();
    user(state, 'ann', ['admin']);
    policy(state, { id: 'read', subjects: ['*'], resources: ['*'], actions: ['read'] });
    policy(state, { id: 'other', subjects: ['*'], resources: ['other'], actions: ['write', 'purge'] });
    const body = { subject: { type: 'user', id: 'ann' }, resource: { type: 'doc', id: 'd1' } };
    expect(ids(await service.search('action', body, pep))).toEqual(['read']);
    policy(state, { id: 'admin', subjects: ['role:admin'], resources: ['*'], actions: ['*'] });
    expect(ids(await service.search('action', body, pep))).toEqual(['purge', 'read', 'write']);
  });

  it('pages: next_token resumes after the last candidate, empty on the last page', async () => {
    const { state, service } = world();
    for (let i = 0; i < 7; i++) user(state, `u${i}`, []);
    policy(state, { id: 'all', subjects: ['*'], resources: ['*'], actions: ['read'] });
    const base = { subject: { type: 'user' }, action: { name: 'read' }, resource: { type: 'doc', id: 'x' } };
    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const answer = await service.search(
        'subject',
        { ...base, page: { limit: 3, ...(token ? { token } : {}) } },
        pep,
      );
      expect(answer.page.count).toBe(answer.results.length);
      pages.push(ids(answer));
      token = answer.page.next_token || undefined;
    } while (token);
    expect(pages).toEqual([['u0', 'u1', 'u2'], ['u3', 'u4', 'u5'], ['u6']]);
  });

  it('a page of limit 0 has no results and a token that starts from the beginning', async () => {
    const { state, service } = world();
    user(state, 'u0', []);
    policy(state, { id: 'all', subjects: ['*'], resources: ['*'], actions: ['read'] });
    const base = { subject: { type: 'user' }, action: { name: 'read' }, resource: { type: 'doc', id: 'x' } };
    const empty = await service.search('subject', { ...base, page: { limit: 0 } }, pep);
    expect(empty.results).toEqual([]);
    const next = await service.search(
      'subject',
      { ...base, page: { limit: 0, token: empty.page.next_token } },
      pep,
    );
    expect(next.page.next_token).toBe(empty.page.next_token);
  });

  it('stops a page at the candidate budget, with a token to go on', async () => {
    // A clock that stands still: only the candidate budget can stop this page.
    jest.spyOn(performance, 'now').mockReturnValue(0);
    const { state, service } = world();
    for (let i = 0; i < SEARCH_MAX_CANDIDATES + 5; i++) user(state, `u${String(i).padStart(5, '0')}`, []);
    policy(state, {
      id: 'none',
      subjects: ['*'],
      resources: ['*'],
      actions: ['read'],
      conditions: { mfa: true },
    });
    const body = { subject: { type: 'user' }, action: { name: 'read' }, resource: { type: 'doc', id: 'x' } };
    const first = await service.search('subject', body, pep);
    expect(first).toMatchObject({ results: [], context: { evaluated: SEARCH_MAX_CANDIDATES } });
    expect(first.page.next_token).not.toBe('');
    const second = await service.search('subject', { ...body, page: { token: first.page.next_token } }, pep);
    expect(second).toMatchObject({ results: [], context: { evaluated: 5 }, page: { next_token: '' } });
    jest.restoreAllMocks();
  });

  it('stops a page at its time budget, every 32 candidates, with a token to go on', async () => {
    let clock = 0;
    // Each reading of the clock is a millisecond later: the 20 ms budget ends after 20 readings.
    jest.spyOn(performance, 'now').mockImplementation(() => clock++);
    const { state, service } = world();
    for (let i = 0; i < 1000; i++) user(state, `u${String(i).padStart(4, '0')}`, []);
    policy(state, { id: 'all', subjects: ['*'], resources: ['*'], actions: ['read'] });
    const body = { subject: { type: 'user' }, action: { name: 'read' }, resource: { type: 'doc', id: 'x' } };
    const page = await service.search('subject', { ...body, page: { limit: 1000 } }, pep);
    jest.restoreAllMocks();
    expect(page.context.evaluated % 32).toBe(0);
    expect(page.context.evaluated).toBeLessThan(1000);
    expect(page.results).toHaveLength(page.context.evaluated);
    expect(page.page.next_token).not.toBe('');
  });

  it('refuses a token with a changed request, a forged token, and bad input, with pointers', async () => {
    const { state, service } = world();
    for (let i = 0; i < 3; i++) user(state, `u${i}`, []);
    policy(state, { id: 'all', subjects: ['*'], resources: ['*'], actions: ['read'] });
    const body = { subject: { type: 'user' }, action: { name: 'read' }, resource: { type: 'doc', id: 'x' } };
    const first = await service.search('subject', { ...body, page: { limit: 1 } }, pep);
    const changed = await problemOf(
      service.search('subject', { ...body, page: { limit: 2, token: first.page.next_token } }, pep),
    );
    expect(changed.extra.errors?.[0].pointer).toBe('/page/token');
    const forged = await problemOf(service.search('subject', { ...body, page: { token: '%%%' } }, pep));
    expect(forged.status).toBe(400);
    const missing = await problemOf(service.search('resource', { subject: { type: 'user' } }, pep));
    expect(missing.extra.errors?.map((e) => e.pointer)).toEqual(
      expect.arrayContaining(['/subject/id', '/action', '/resource']),
    );
  });

  it('holds callers to the trust model', async () => {
    const { state, service } = world();
    user(state, 'ann', []);
    const ann = principal('ann');
    const subjects = await problemOf(
      service.search(
        'subject',
        { subject: { type: 'user' }, action: { name: 'read' }, resource: { type: 'doc', id: 'x' } },
        ann,
      ),
    );
    expect([subjects.status, subjects.code]).toEqual([403, 'ROLE_REQUIRED']);
    const other = await problemOf(
      service.search(
        'action',
        { subject: { type: 'user', id: 'ben' }, resource: { type: 'doc', id: 'x' } },
        ann,
      ),
    );
    expect([other.status, other.code]).toEqual([403, 'ROLE_REQUIRED']);
    const own: SearchKind = 'action';
    await expect(
      service.search(own, { subject: { type: 'user', id: 'ann' }, resource: { type: 'doc', id: 'x' } }, ann),
    ).resolves.toMatchObject({ results: [] });
  });

  it('charges a page its candidate budget in decision calls, never more than the limit', () => {
    expect(searchCost(0)).toBe(10);
    expect(searchCost(1000)).toBe(10);
    expect(searchCost(4)).toBe(4);
  });

  it('applies the device restriction to every candidate', async () => {
    const { state, service, devices } = world();
    user(state, 'ann', []);
    policy(state, { id: 'all', subjects: ['*'], resources: ['*'], actions: ['read'] });
    const body = {
      subject: { type: 'user' },
      action: { name: 'read' },
      resource: { type: 'doc', id: 'x' },
      context: { device: { id: 'mac-1' } },
    };
    expect(ids(await service.search('subject', body, pep))).toEqual(['ann']);
    const at = new Date().toISOString();
    devices.putRisk({
      deviceId: 'mac-1',
      score: 0.9,
      threshold: 0.5,
      restricted: true,
      model: 'm',
      explanation: [],
      observedAt: at,
      at,
    });
    expect(ids(await service.search('subject', body, pep))).toEqual([]);
  });
});
