import Ajv, { ValidateFunction } from 'ajv';
import type { DirectoryPrincipal } from '@zt/contracts';
import { FieldError, ProblemError, schemaFieldErrors, validationProblem } from '@zt/http';
import type { CanonicalPolicy, PolicyFormat } from '@zt/policy-engine';
import { principalInputErrors } from '../principals/principals.service';
import { resourceInputErrors, resourceNameErrors } from '../resources/resources.service';
import {
  CHANGE_HEAD_SCHEMA,
  CHANGE_SCHEMAS,
  CHANGESET_SCHEMA,
  ChangeKind,
  ChangeOp,
} from './changeset.schema';

/** One validated change, ready to be planned against the stored state. */
export type Change =
  | { op: 'put'; kind: 'policy'; id: string; parsed: { policy: CanonicalPolicy; format: PolicyFormat } }
  | { op: 'delete'; kind: 'policy'; id: string }
  | { op: 'put'; kind: 'principal'; id: string; principal: Partial<DirectoryPrincipal> }
  | { op: 'delete'; kind: 'principal'; id: string }
  | { op: 'put'; kind: 'resource'; type: string; id: string; properties: Record<string, unknown> }
  | { op: 'delete'; kind: 'resource'; type: string; id: string };

/** A validated change set. */
export interface ChangeSetInput {
  expectedRevision?: number;
  reason?: string;
  changes: Change[];
}

const ajv = new Ajv({ allErrors: true, strict: true });
// The envelope without its items (they are checked one by one, for pointers that make sense).
const validateEnvelope = ajv.compile({
  ...CHANGESET_SCHEMA,
  properties: {
    ...CHANGESET_SCHEMA.properties,
    changes: { ...CHANGESET_SCHEMA.properties.changes, items: {} },
  },
});
const validateHead = ajv.compile(CHANGE_HEAD_SCHEMA);
const validateChange = Object.fromEntries(
  Object.entries(CHANGE_SCHEMAS).map(([name, schema]) => [name, ajv.compile(schema)]),
) as Record<keyof typeof CHANGE_SCHEMAS, ValidateFunction>;

/** A key per target: two changes of one set may not touch the same policy, principal or resource. */
export function targetOf(change: { kind: ChangeKind; id: string; type?: string }): string {
  return change.kind === 'resource'
    ? `resource\u0000${change.type}\u0000${change.id}`
    : `${change.kind}\u0000${change.id}`;
}

function under(prefix: string, errors: FieldError[]): FieldError[] {
  return errors.map((e) => ({ pointer: `${prefix}${e.pointer}`, detail: e.detail }));
}

/** Checks a policy document for a write to `id` (the policies service's own check); throws 400. */
export type PolicyCheck = (
  document: Record<string, unknown>,
  id: string,
) => Promise<{ policy: CanonicalPolicy; format: PolicyFormat }>;

/** Validates one change as its own endpoint would, with pointers into the set. */
async function changeOf(
  raw: Record<string, unknown>,
  at: string,
  errors: FieldError[],
  checkPolicy: PolicyCheck,
): Promise<Change | undefined> {
  // The head schema has checked both: the name is one of CHANGE_SCHEMAS'.
  const name: keyof typeof CHANGE_SCHEMAS = `${raw.op as ChangeOp}:${raw.kind as ChangeKind}`;
  const shape = schemaFieldErrors(validateChange[name], raw);
  if (shape.length > 0) {
    errors.push(...under(at, shape));
    return undefined;
  }
  const id = raw.id as string;
  switch (name) {
    case 'put:policy': {
      try {
        const document = raw.document as Record<string, unknown>;
        const parsed = await checkPolicy(document, id);
        // As PUT /policies/{id}: the document's own id, when it has one, is the change's id.
        if (parsed.policy.id !== id) {
          const pointer = parsed.format === 'nist' ? '/policyId' : '/id';
          errors.push({ pointer: `${at}/document${pointer}`, detail: `must be ${id}, the change's id` });
          return undefined;
        }
        if (raw.format !== undefined && raw.format !== parsed.format) {
          errors.push({
            pointer: `${at}/format`,
            detail: `is ${raw.format as string}, the document is ${parsed.format}`,
          });
          return undefined;
        }
        return { op: 'put', kind: 'policy', id, parsed };
      } catch (error) {
        if (!(error instanceof ProblemError)) throw error;
        errors.push(
          ...under(`${at}/document`, error.extra.errors ?? [{ pointer: '', detail: error.detail }]),
        );
        return undefined;
      }
    }
    case 'put:principal': {
      const problems = principalInputErrors(raw.principal);
      errors.push(...under(`${at}/principal`, problems));
      return problems.length > 0
        ? undefined
        : { op: 'put', kind: 'principal', id, principal: raw.principal as Partial<DirectoryPrincipal> };
    }
    case 'put:resource':
    case 'delete:resource': {
      const type = raw.type as string;
      const problems = under(at, [...resourceNameErrors('/type', type), ...resourceNameErrors('/id', id)]);
      if (name === 'put:resource')
        problems.push(...under(at, resourceInputErrors({ properties: raw.properties ?? {} })));
      errors.push(...problems);
      if (problems.length > 0) return undefined;
      return name === 'put:resource'
        ? {
            op: 'put',
            kind: 'resource',
            type,
            id,
            properties: (raw.properties ?? {}) as Record<string, unknown>,
          }
        : { op: 'delete', kind: 'resource', type, id };
    }
    case 'delete:policy':
      return { op: 'delete', kind: 'policy', id };
    case 'delete:principal':
      return { op: 'delete', kind: 'principal', id };
  }
}

/**
 * Validates a whole change set: the envelope, then every change exactly as its single endpoint
 * validates it, then that no two changes touch one target. Any problem refuses the whole set
 * (400) with a pointer into it per problem, `/changes/3/document/rules/0/...`.
 */
export async function parseChangeSet(body: unknown, checkPolicy: PolicyCheck): Promise<ChangeSetInput> {
  const envelope = schemaFieldErrors(validateEnvelope, body);
  if (envelope.length > 0) throw validationProblem(envelope, 'The change set is invalid.');
  const input = body as { expected_revision?: number; reason?: string; changes: unknown[] };
  const errors: FieldError[] = [];
  const changes: Change[] = [];
  const seen = new Map<string, number>();
  for (const [i, raw] of input.changes.entries()) {
    const at = `/changes/${i}`;
    const head = schemaFieldErrors(validateHead, raw);
    if (head.length > 0) {
      errors.push(...under(at, head));
      continue;
    }
    const change = await changeOf(raw as Record<string, unknown>, at, errors, checkPolicy);
    if (!change) continue;
    const target = targetOf(change);
    const first = seen.get(target);
    if (first !== undefined) {
      errors.push({ pointer: at, detail: `touches the same ${change.kind} as /changes/${first}` });
      continue;
    }
    seen.set(target, i);
    changes.push(change);
  }
  if (errors.length > 0) throw validationProblem(errors, 'The change set is invalid; nothing was changed.');
  return {
    changes,
    ...(input.expected_revision !== undefined ? { expectedRevision: input.expected_revision } : {}),
    ...(input.reason !== undefined ? { reason: input.reason } : {}),
  };
}
