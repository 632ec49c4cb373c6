import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, JsonResponse } from '../support/http';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';

// The official AuthZEN search interop cases; source, commit and licence in test/authzen-search/README.md.
const DATA = join(__dirname, '..', 'authzen-search');
const load = <T>(file: string): T => JSON.parse(readFileSync(join(DATA, file), 'utf8')) as T;

type Result = { type: string; id: string } | { name: string };
interface Case {
  request: Record<string, unknown>;
  expected: { results: Result[] };
}
interface SearchAnswer {
  page: { next_token: string; count: number };
  context: { revision: number; evaluated: number };
  results: Result[];
}
interface Problem {
  code: string;
  errors?: { pointer: string; detail: string }[];
}

const KINDS = ['subject', 'resource', 'action'] as const;
const CASES = Object.fromEntries(
  KINDS.map((kind) => [kind, load<{ evaluation: Case[] }>(`${kind}-search.json`).evaluation]),
) as Record<(typeof KINDS)[number], Case[]>;

/** The upstream harness's comparison: results sorted by type and id, or by name. */
const sortKey = (r: Result) => ('name' in r ? r.name : `${r.type}\u0000${r.id}`);
const sorted = (results: Result[]) => [...results].sort((a, b) => sortKey(a).localeCompare(sortKey(b)));

describe('AuthZEN Search APIs (standalone)', () => {
  let product: StandaloneUnderTest;
  let pep: string;
  let revision = 0;

  const search = <T = SearchAnswer>(kind: string, body: unknown, token = pep): Promise<JsonResponse<T>> =>
    call<T>(product.url, 'POST', `/access/v1/search/${kind}`, {
      token,
      body,
      // Read-your-writes: the decision replica answers from the last write's revision on.
      headers: { 'zt-min-revision': String(revision) },
    });

  beforeAll(async () => {
    product = await startStandaloneForTest();
    pep = await product.issuer.mint({ sub: 'search-app', roles: ['pep'] });
    const admin = await product.issuer.mint({ sub: 'pat@company.com', roles: ['policy_admin'] });
    const written = async (response: Promise<JsonResponse>) => {
      const r = await response;
      expect(r.status).toBeLessThan(300);
      revision = Math.max(revision, Number(r.headers.get('zt-policy-revision') ?? r.body.revision ?? 0));
    };
    // Set up as an administrator would: the directory through the admin API, then the policies.
    for (const user of load<{ id: string; role: string; department: string }[]>('users.json')) {
      await written(
        call(product.url, 'PUT', `/v1/zt-policy/principals/${user.id}`, {
          token: admin,
          body: { type: 'user', roles: [user.role], attributes: { department: user.department } },
        }),
      );
    }
    for (const record of load<{ id: number; title: string; department: string; owner: string }[]>(
      'records.json',
    )) {
      const { id, ...properties } = record;
      await written(
        call(product.url, 'PUT', `/v1/zt-policy/resources/record/${id}`, {
          token: admin,
          body: { properties },
        }),
      );
    }
    for (const policy of load<Record<string, unknown>[]>('policies.json')) {
      await written(call(product.url, 'POST', '/v1/zt-policy/policies', { token: admin, body: policy }));
    }
    // Starting the product and 30 admin writes, on shared CI cores.
  }, 180_000);

  afterAll(async () => {
    await product?.stop();
  });

  it('passes all 198 official interop cases', async () => {
    const failures: string[] = [];
    let passed = 0;
    for (const kind of KINDS) {
      for (const { request, expected } of CASES[kind]) {
        const answer = await search(kind, request);
        const actual = answer.status === 200 ? sorted(answer.body.results) : answer.body;
        if (JSON.stringify(actual) === JSON.stringify(sorted(expected.results))) passed++;
        else failures.push(`${kind} ${JSON.stringify(request)}: ${JSON.stringify(actual)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(passed).toBe(198);
  }, 120_000);

  it('advertises the three search endpoints in the PDP metadata', async () => {
    const metadata = await call<Record<string, string>>(
      product.url,
      'GET',
      '/.well-known/authzen-configuration',
    );
    for (const kind of KINDS) {
      expect(metadata.body[`search_${kind}_endpoint`]).toBe(
        `${metadata.body.policy_decision_point}/access/v1/search/${kind}`,
      );
    }
  });

  it('answers results that an evaluation with the same facts allows', async () => {
    const answer = await search('subject', {
      subject: { type: 'user' },
      action: { name: 'edit' },
      resource: { type: 'record', id: '115' },
    });
    expect(sorted(answer.body.results)).toEqual([
      { type: 'user', id: 'carol' },
      { type: 'user', id: 'dan' },
    ]);
    for (const result of answer.body.results as { id: string }[]) {
      const evaluation = await call<{ decision: boolean }>(product.url, 'POST', '/access/v1/evaluation', {
        token: pep,
        body: {
          subject: { type: 'user', id: result.id },
          action: { name: 'edit' },
          resource: { type: 'record', id: '115', properties: { owner: 'carol', department: 'Finance' } },
        },
      });
      expect([result.id, evaluation.body.decision]).toEqual([result.id, true]);
    }
  });

  it('pages with next_token until it is empty, and refuses a token sent with another request', async () => {
    const request = {
      subject: { type: 'user', id: 'alice' },
      action: { name: 'view' },
      resource: { type: 'record' },
    };
    const seen: Result[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const answer = await search('resource', {
        ...request,
        page: { limit: 6, ...(token ? { token } : {}) },
      });
      expect(answer.status).toBe(200);
      expect(Object.keys(answer.body)[0]).toBe('page');
      expect(answer.body.page.count).toBe(answer.body.results.length);
      seen.push(...answer.body.results);
      token = answer.body.page.next_token || undefined;
      pages++;
    } while (token && pages < 10);
    expect(pages).toBe(4);
    expect(seen).toHaveLength(20);
    expect(new Set(seen.map((r) => sortKey(r))).size).toBe(20);

    const first = await search('resource', { ...request, page: { limit: 6 } });
    const changed = await search<Problem>('resource', {
      ...request,
      action: { name: 'edit' },
      page: { limit: 6, token: first.body.page.next_token },
    });
    expect(changed.status).toBe(400);
    expect(changed.body.errors?.[0].pointer).toBe('/page/token');
    const forged = await search<Problem>('resource', {
      ...request,
      page: { limit: 6, token: 'not-a-token' },
    });
    expect(forged.status).toBe(400);
  });

  it('skips, through the index, the candidates no allowing policy covers', async () => {
    // No policy names `archive`: the index finds no allowing policy, so no user is even evaluated.
    const owners = await search('subject', {
      subject: { type: 'user' },
      action: { name: 'archive' },
      resource: { type: 'record', id: '101' },
    });
    expect(owners.body).toMatchObject({ results: [], context: { evaluated: 0 }, page: { next_token: '' } });
  });

  it('holds callers to the trust model: subject search needs pep, others only about oneself', async () => {
    const erin = await product.issuer.mint({ sub: 'erin', roles: ['employee'] });
    const own = await search(
      'resource',
      { subject: { type: 'user', id: 'erin' }, action: { name: 'delete' }, resource: { type: 'record' } },
      erin,
    );
    expect(own.status).toBe(200);
    expect(sorted(own.body.results).map((r) => ('id' in r ? r.id : r.name))).toEqual(['105', '111', '117']);
    const other = await search<Problem>(
      'action',
      { subject: { type: 'user', id: 'alice' }, resource: { type: 'record', id: '101' } },
      erin,
    );
    expect([other.status, other.body.code]).toEqual([403, 'ROLE_REQUIRED']);
    const subjects = await search<Problem>(
      'subject',
      { subject: { type: 'user' }, action: { name: 'view' }, resource: { type: 'record', id: '101' } },
      erin,
    );
    expect([subjects.status, subjects.body.code]).toEqual([403, 'ROLE_REQUIRED']);
  });

  it('answers 400 with pointers for a malformed search', async () => {
    const noType = await search<Problem>('subject', {
      subject: {},
      action: { name: 'view' },
      resource: { type: 'record', id: '101' },
    });
    expect(noType.status).toBe(400);
    expect(noType.body.errors?.map((e) => e.pointer)).toContain('/subject/type');
    const tooBig = await search<Problem>('action', {
      subject: { type: 'user', id: 'alice' },
      resource: { type: 'record', id: '101' },
      page: { limit: 1001 },
    });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.errors?.map((e) => e.pointer)).toContain('/page/limit');
  });
});
