import { Operation, operationName } from './api-operations';
import { SEED_000_DATA_SCIENTIST, SEED_000_ENGINEERING_ADMIN } from '../support/seed-examples';

/** The policy the fuzz run creates first, so that routes with a policy id reach a real one. */
export const FUZZ_POLICY = { ...SEED_000_ENGINEERING_ADMIN, id: 'pol_fuzz_1' };

const subject = { type: 'user', id: 'alice@company.com', properties: { groups: ['engineering'] } };
const resource = { type: 'repo', id: 'gitlab.x' };

// Valid bodies per operation, so that mutations start from a request the handler accepts and
// hostile values reach the code behind validation. Keys are operation names.
const EXAMPLES: Record<string, unknown> = {
  'POST /access/v1/evaluation': { subject, action: { name: 'read' }, resource, context: {} },
  'POST /access/v1/evaluations': {
    subject,
    action: { name: 'read' },
    evaluations: [{ resource }, { resource: { type: 'repo', id: 'internal.k8s.cluster' } }],
  },
  'POST /v1/zt-policy/decisions': {
    subject: { id: 'bob@company.com', groups: ['engineering'] },
    action: 'read',
    resource: { id: 'gitlab.x' },
    context: { device: { id: 'fuzz-device-1', posture: 'compliant' }, country: 'US' },
    // Present so that number mutations reach it: revision 0 is always reached.
    min_revision: 0,
  },
  // A host under .invalid: never resolves, so scoring fails fast instead of calling out.
  'POST /v1/zt-policy/device-intelligence/integrate': {
    model_url: 'https://risk-model.invalid/score',
    threshold: 0.75,
    timeout_ms: 200,
    on_failure: 'last_known',
  },
  'POST /v1/zt-policy/device-intelligence/posture': {
    device_id: 'fuzz-device-1',
    signals: { managed: true, disk_encrypted: true, os_name: 'macOS', patch_age_days: 3, country: 'US' },
  },
  'POST /v1/zt-policy/policies': SEED_000_DATA_SCIENTIST,
  'POST /v1/zt-policy/policies:validate': SEED_000_DATA_SCIENTIST,
  'PUT /v1/zt-policy/policies/{id}': FUZZ_POLICY,
  'POST /v1/zt-policy/policies/{id}/rollback': { version: 1 },
  'PUT /v1/zt-policy/principals/{id}': {
    type: 'user',
    roles: ['viewer'],
    groups: ['engineering'],
    attributes: {},
  },
};

/** A valid body for an operation that takes one (an empty object when none is known). */
export function exampleBodyOf(operation: Operation): unknown {
  return structuredClone(EXAMPLES[operationName(operation)] ?? {});
}
