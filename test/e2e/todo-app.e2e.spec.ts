import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../apps/ztctl/src/cli';
import type { DecisionEvent } from '../../packages/sdk/src/pep/enforcement-point';
import { ZtClient } from '../../packages/sdk/src/client';
import { DEMO_TODOS } from '../../examples/todo-app/src/demo-todos';
import { startTodoApp, type TodoApp } from '../../examples/todo-app/src/todo-app';
import { TODO_USERS } from '../../examples/todo-app/src/users';
import todo from '../authzen/todo-decisions-authorization-api-1_0-02.json';
import { call } from '../support/http';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';

const POLICY_REPO = join(__dirname, '..', '..', 'examples', 'todo-app', 'policy');

/** One official decision of the AuthZEN Todo interop file, as the harness states it. */
interface Case {
  subject: string;
  action: string;
  resource: { type: string; id: string; properties?: { ownerID: string } };
  allowed: boolean;
}

type Single = { request: Omit<Case, 'allowed' | 'subject' | 'action'> & Wire; expected: boolean };
type Batch = {
  request: Wire & { evaluations: { resource: Case['resource'] }[] };
  expected: { decision: boolean }[];
};
type Wire = { subject: { id: string }; action: { name: string }; resource: Case['resource'] };

/** Every decision of the file: the 40 single ones and the 6 entries of the 3 batches. */
function officialCases(): Case[] {
  const single = (todo as unknown as { evaluation: Single[] }).evaluation.map((d) => ({
    subject: d.request.subject.id,
    action: d.request.action.name,
    resource: d.request.resource,
    allowed: d.expected,
  }));
  const batched = (todo as unknown as { evaluations: Batch[] }).evaluations.flatMap((d) =>
    d.request.evaluations.map((entry, i) => ({
      subject: d.request.subject.id,
      action: d.request.action.name,
      resource: entry.resource,
      allowed: d.expected[i].decision,
    })),
  );
  return [...single, ...batched];
}

/**
 * examples/todo-app against the standalone product: its policy repository applied with ztctl,
 * then every official AuthZEN todo decision enforced through real HTTP calls to the app, a policy
 * change obeyed on the next call that carries its revision, and the app failing closed once the
 * product is gone.
 */
describe('the todo example app, guarded by the SDK, against the standalone product', () => {
  let product: StandaloneUnderTest;
  let app: TodoApp;
  let admin: ZtClient;
  let work: string;
  let applied = 0;
  let stopped = false;
  const tokens = new Map<string, string>();
  const decisions: DecisionEvent[] = [];

  beforeAll(async () => {
    product = await startStandaloneForTest();
    const adminToken = await product.issuer.mint({
      sub: 'ci@company.com',
      roles: ['policy_admin', 'infra_admin'],
      mfa: true,
    });
    work = mkdtempSync(join(tmpdir(), 'todo-app-e2e-'));
    const profile = join(work, 'no-profile.json');
    writeFileSync(profile, '{}');
    let out = '';
    let err = '';
    const code = await run(
      ['policy', 'apply', POLICY_REPO, '--reason', 'todo example'],
      { ZT_SERVER: product.url, ZT_TOKEN: adminToken, ZT_PROFILE: profile },
      { out: (t) => (out += t), err: (t) => (err += t) },
    );
    expect({ code, err }).toEqual({ code: 0, err: '' });
    applied = Number(/applied as one change set: revision (\d+)/.exec(out)?.[1]);
    expect(applied).toBeGreaterThan(0);
    admin = new ZtClient({ baseUrl: product.url, token: adminToken, timeoutMs: 5000 });

    // A user's token names only who they are: the roles and email come from the principal directory.
    for (const user of TODO_USERS)
      tokens.set(user.id, await product.issuer.mint({ sub: user.id, roles: [] }));
    app = await startTodoApp({
      pdpUrl: product.url,
      port: 0,
      decisionTimeoutMs: 3000, // a shared CI machine; the fail-closed test does not wait on it
      todos: DEMO_TODOS,
      onDecision: (event) => decisions.push(event),
    });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await admin?.close();
    if (!stopped) await product?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** Calls the app as `subject`, with the applied revision so no decision predates the policies. */
  async function asUser(subject: string, method: string, path: string, body?: unknown, headers = {}) {
    return call(app.url, method, path, {
      token: tokens.get(subject),
      body,
      headers: { 'zt-min-revision': String(applied), ...headers },
    });
  }

  /** The HTTP call of the app that stands for an official decision. */
  async function enforce(c: Case) {
    switch (c.action) {
      case 'can_read_user':
        return asUser(c.subject, 'GET', `/users/${encodeURIComponent(c.resource.id)}`);
      case 'can_read_todos':
        return asUser(c.subject, 'GET', '/todos');
      case 'can_create_todo':
        return asUser(c.subject, 'POST', '/todos', { Title: `from ${c.subject.slice(0, 8)}` });
      case 'can_update_todo':
      case 'can_delete_todo': {
        // The guard reads the owner from the app's store, never from the request: put the todo
        // there as the case describes it (an earlier allowed delete may have removed it).
        const owner = c.resource.properties?.ownerID ?? '';
        app.todos.put({ ID: c.resource.id, Title: 'case todo', Completed: false, OwnerID: owner });
        const path = `/todos/${c.resource.id}`;
        return c.action === 'can_update_todo'
          ? asUser(c.subject, 'PUT', path, { Completed: true })
          : asUser(c.subject, 'DELETE', path);
      }
      default:
        throw new Error(`no route for ${c.action}`);
    }
  }

  const cases = officialCases();
  const user = (id: string) => TODO_USERS.find((u) => u.id === id)?.email ?? id;

  it('keeps its policies tested and formatted: ztctl policy test and fmt --check pass offline', async () => {
    let out = '';
    const offline = { ZT_PROFILE: join(work, 'no-profile.json') };
    const sink = { out: (t: string) => (out += t), err: (t: string) => (out += t) };
    expect(await run(['policy', 'fmt', POLICY_REPO, '--check'], offline, sink)).toBe(0);
    expect(await run(['policy', 'test', POLICY_REPO], offline, sink)).toBe(0);
    expect(out).toMatch(/42 passed, 0 failed/);
    expect(out).toMatch(/4\/4 policies reached/);
  });

  it('has every official todo decision: 40 single and 6 in batches', () => {
    expect(cases).toHaveLength(46);
  });

  it.each(
    cases.map(
      (c) => [user(c.subject), c.allowed ? 'is allowed' : 'is denied', c.action, c.resource.id, c] as const,
    ),
  )('%s %s %s on %s', async (_user, _verdict, _action, _id, c) => {
    const r = await enforce(c);
    if (c.allowed) {
      expect(r.status).toBeGreaterThanOrEqual(200);
      expect(r.status).toBeLessThan(300);
    } else {
      expect(r.status).toBe(403);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(r.body).toMatchObject({ status: 403, code: 'ACCESS_DENIED', decision_id: expect.any(String) });
    }
  });

  it('does what an allowed call asks: a created todo is owned by its creator, an update and a delete land', async () => {
    const morty = TODO_USERS[1];
    const created = await asUser(morty.id, 'POST', '/todos', { Title: 'Shoot the moon' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ Title: 'Shoot the moon', Completed: false, OwnerID: morty.email });
    const id = String(created.body.ID);
    const updated = await asUser(morty.id, 'PUT', `/todos/${id}`, { Completed: true });
    expect(updated.body).toMatchObject({ ID: id, Completed: true });
    // Summer, another editor, may not touch Morty's todo; it stays as it was.
    expect((await asUser(TODO_USERS[2].id, 'DELETE', `/todos/${id}`)).status).toBe(403);
    expect((await asUser(morty.id, 'DELETE', `/todos/${id}`)).status).toBe(204);
    expect(app.todos.get(id)).toBeUndefined();
    const profile = await asUser(morty.id, 'GET', `/users/${TODO_USERS[3].email}`);
    expect(profile.body).toEqual({ id: TODO_USERS[3].id, email: 'beth@the-smiths.com', name: 'Beth Smith' });
  });

  it('logs a decision id for every decision, and answers 401 without a token, 400 with the field for a bad body', async () => {
    expect(decisions.length).toBeGreaterThanOrEqual(cases.length);
    expect(decisions.every((d) => d.decisionId || d.error)).toBe(true);
    const anonymous = await call(app.url, 'GET', '/todos');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    const bad = await asUser(TODO_USERS[0].id, 'POST', '/todos', { Title: 42 });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ pointer: '/Title' }] });
    // Rick may change any todo, so a missing one gets past the guard to a 404; for an editor it is no one's.
    expect((await asUser(TODO_USERS[0].id, 'DELETE', '/todos/no-such-todo')).status).toBe(404);
    expect((await asUser(TODO_USERS[1].id, 'DELETE', '/todos/no-such-todo')).status).toBe(403);
  });

  it('obeys a policy change on the next call that carries the change revision', async () => {
    const summer = TODO_USERS[2].id;
    const before = await asUser(summer, 'POST', '/todos', { Title: 'before the change' });
    expect(before.status).toBe(201);
    // Editors lose the right to create todos: only admins keep it.
    const changed = await admin.policies.update(
      'todo_create',
      {
        id: 'todo_create',
        name: 'admins create todos',
        subjects: ['role:admin'],
        resources: ['*'],
        actions: ['can_create_todo'],
        effect: 'allow',
      },
      { reason: 'todo example: editors stop creating' },
    );
    expect(changed.revision).toBeGreaterThan(applied);
    const after = await asUser(
      summer,
      'POST',
      '/todos',
      { Title: 'after the change' },
      {
        'zt-min-revision': String(changed.revision),
      },
    );
    expect(after.status).toBe(403);
    expect(after.body).toMatchObject({ code: 'ACCESS_DENIED' });
    // Rick, an admin, still may.
    const rick = await asUser(
      TODO_USERS[0].id,
      'POST',
      '/todos',
      { Title: 'admin still' },
      {
        'zt-min-revision': String(changed.revision),
      },
    );
    expect(rick.status).toBe(201);
  });

  it('fails closed (503 problem+json) once the product is down', async () => {
    const rick = TODO_USERS[0].id;
    const todo = {
      ID: 'outage',
      Title: 'asked about only after the outage',
      Completed: false,
      OwnerID: 'rick@the-citadel.com',
    };
    app.todos.put(todo);
    await product.stop();
    stopped = true;
    // A request never decided before, so no cached answer stands in for the decision point.
    const r = await asUser(rick, 'PUT', `/todos/${todo.ID}`, { Completed: true });
    expect(r.status).toBe(503);
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(r.body).toMatchObject({ status: 503, code: 'DECISION_UNAVAILABLE' });
    expect(app.todos.get(todo.ID)?.Completed).toBe(false);
  });
});
