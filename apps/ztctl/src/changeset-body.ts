import type { PlannedChange, Plan } from './policy-plan';

/** One change of a change set (POST /v1/zt-policy/changesets), as policy-admin's schema has it. */
type ChangeSetChange =
  | { op: 'put' | 'delete'; kind: 'policy'; id: string; format?: string; document?: Record<string, unknown> }
  | { op: 'put' | 'delete'; kind: 'principal'; id: string; principal?: Record<string, unknown> }
  | {
      op: 'put' | 'delete';
      kind: 'resource';
      type: string;
      id: string;
      properties?: Record<string, unknown>;
    };

/** The body of POST /v1/zt-policy/changesets. */
export interface ChangeSetBody {
  expected_revision: number;
  reason?: string;
  changes: ChangeSetChange[];
}

function changeOf(change: PlannedChange): ChangeSetChange {
  const op = change.op === 'delete' ? 'delete' : 'put';
  const item = change.item ?? {};
  switch (change.kind) {
    case 'policy':
      return op === 'delete'
        ? { op, kind: 'policy', id: change.id }
        : {
            op,
            kind: 'policy',
            id: change.id,
            format: item.format as string,
            document: item.document as Record<string, unknown>,
          };
    case 'principal':
      return op === 'delete'
        ? { op, kind: 'principal', id: change.id }
        : { op, kind: 'principal', id: change.id, principal: item };
    case 'resource':
      return op === 'delete'
        ? { op, kind: 'resource', type: change.type ?? '', id: change.id }
        : {
            op,
            kind: 'resource',
            type: change.type ?? '',
            id: change.id,
            properties: item.properties as Record<string, unknown>,
          };
  }
}

/**
 * The change set of a plan: every change in one request, so the server applies all of them in one
 * transaction and one revision, or none; `expected_revision` makes it refuse once the server moved.
 */
export function changeSetOf(plan: Plan, reason?: string): ChangeSetBody {
  return {
    expected_revision: plan.revision,
    ...(reason ? { reason } : {}),
    changes: plan.changes.map(changeOf),
  };
}
