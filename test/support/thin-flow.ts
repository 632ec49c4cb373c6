import { call, eventually } from './http';
import { SEED_000_DATA_SCIENTIST } from './seed-examples';

/** Where each service of a deployment answers (one URL for all four when standalone). */
export interface ServiceUrls {
  policyAdmin: string;
  decision: string;
  audit: string;
}

/** Tokens the thin flow needs. */
export interface FlowTokens {
  admin: string;
  auditor: string;
  scientist: string;
}

const MATCHING_REQUEST = {
  subject: { type: 'user', id: 'dana@company.com', groups: ['data_science'] },
  action: 'read',
  resource: { type: 'dataset', id: 'bigquery.dataset.sales' },
  context: { device: { posture: 'compliant' }, country: 'DE' },
};

/**
 * The walking skeleton's end-to-end flow, the same in both modes: create seed 000's policy,
 * see it enforced by the decision service through the bus, see everything in the audit trail.
 */
export async function runThinFlow(urls: ServiceUrls, tokens: FlowTokens): Promise<void> {
  const created = await call(urls.policyAdmin, 'POST', '/v1/zt-policy/policies', {
    token: tokens.admin,
    body: SEED_000_DATA_SCIENTIST,
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  expect(id).toMatch(/^pol_[0-9a-f]{12}$/);
  expect(created.headers.get('location')).toBe(`/v1/zt-policy/policies/${id}`);
  expect(created.body).toMatchObject(SEED_000_DATA_SCIENTIST);
  const revision = Number(created.headers.get('zt-policy-revision'));
  expect(revision).toBeGreaterThan(0);

  // The change travels through the bus; the decision service allows once it has it.
  const allowed = await eventually(
    async () => {
      const r = await call(urls.decision, 'POST', '/v1/zt-policy/decisions', {
        token: tokens.scientist,
        body: MATCHING_REQUEST,
      });
      return r.status === 200 && r.body.decision === 'allow' ? r : undefined;
    },
    30_000,
    'the policy to reach the decision service',
  );
  expect(allowed.body.revision).toBeGreaterThanOrEqual(revision);
  expect(allowed.body.decidingPolicies).toEqual([expect.objectContaining({ id })]);

  // Nothing matches a write: deny by default.
  const denied = await call(urls.decision, 'POST', '/v1/zt-policy/decisions', {
    token: tokens.scientist,
    body: { ...MATCHING_REQUEST, action: 'write' },
  });
  expect(denied.status).toBe(200);
  expect(denied.body.decision).toBe('deny');
  expect(denied.body.decidingPolicies).toEqual([]);

  // The audit trail shows the change and both decisions.
  const decisionIds = [allowed.body.decision_id, denied.body.decision_id];
  await eventually(
    async () => {
      const page = await call<{ items: { type: string; subject: string | null }[] }>(
        urls.audit,
        'GET',
        '/v1/zt-policy/audit/events?limit=500',
        { token: tokens.auditor },
      );
      expect(page.status).toBe(200);
      const subjects = page.body.items.map((r) => `${r.type} ${r.subject}`);
      const complete =
        subjects.includes(`com.zt.policy.created ${id}`) &&
        decisionIds.every((d) => subjects.includes(`com.zt.decision.made ${String(d)}`));
      return complete ? true : undefined;
    },
    30_000,
    'the change and the decisions in the audit trail',
  );
}
