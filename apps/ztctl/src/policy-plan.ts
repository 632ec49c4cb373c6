import { changedPointers } from '@zt/contracts';
import { describeImpact, PlanImpact } from './policy-impact';
import type { DirectoryPrincipal, PolicySnapshot } from '@zt/contracts';
import { exportPolicy, parsePolicy, PolicyFormat } from '@zt/policy-engine';
import type { PolicyRepository } from './policy-repo';

export type PlanKind = 'policy' | 'principal' | 'resource';

/** One member that differs: its pointer into the item, and its value before and after. */
export interface FieldChange {
  pointer: string;
  before?: unknown;
  after?: unknown;
}

/**
 * One change of a plan. `item` is what the server would hold afterwards (absent for a delete):
 * `{format, document}` of a policy, `{type, roles, groups, attributes}` of a principal,
 * `{properties}` of a resource. `diff` compares the item before and after, member by member.
 */
export interface PlannedChange {
  op: 'create' | 'update' | 'delete';
  kind: PlanKind;
  id: string;
  /** A resource's type. */
  type?: string;
  item?: Record<string, unknown>;
  diff: FieldChange[];
}

/** A plan: what applying the repository would change on the server, and at which revision it was made. */
export interface Plan {
  /** The plan file's format version. */
  ztctl_plan: 1;
  server: string;
  /** The server's revision the plan was made against; apply refuses a plan once the server moved. */
  revision: number;
  created_at: string;
  summary: { create: number; update: number; delete: number };
  changes: PlannedChange[];
  /** What the changes would do to recorded decisions (`changesets:simulate`); absent with --no-impact. */
  impact?: PlanImpact;
}

function valueAt(root: unknown, pointer: string): unknown {
  let value = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** The field-level diff of two items, with values. */
export function fieldDiff(before: unknown, after: unknown): FieldChange[] {
  return changedPointers(before ?? {}, after ?? {}).map((pointer) => {
    const b = valueAt(before, pointer);
    const a = valueAt(after, pointer);
    return { pointer, ...(b === undefined ? {} : { before: b }), ...(a === undefined ? {} : { after: a }) };
  });
}

/** The server's document of a policy, normalized the way a repository document is (parsed, exported). */
function normalizedServerPolicy(format: PolicyFormat, document: Record<string, unknown>, id: string) {
  const parsed = parsePolicy(document, { format, defaultId: id });
  return { format, document: parsed.ok ? exportPolicy(parsed.policy, parsed.format) : document };
}

const principalItem = ({ type, roles, groups, attributes }: DirectoryPrincipal) => ({
  type,
  roles,
  groups,
  attributes,
});

interface Keyed {
  key: string;
  kind: PlanKind;
  id: string;
  type?: string;
  item: Record<string, unknown>;
}

/** Creates, updates and deletes that turn `current` into `desired`, in key order. */
function compare(current: Keyed[], desired: Keyed[]): PlannedChange[] {
  const before = new Map(current.map((k) => [k.key, k]));
  const after = new Map(desired.map((k) => [k.key, k]));
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
  const changes: PlannedChange[] = [];
  for (const key of keys) {
    const b = before.get(key);
    const a = after.get(key);
    const target = (a ?? b) as Keyed;
    const where = {
      kind: target.kind,
      id: target.id,
      ...(target.type === undefined ? {} : { type: target.type }),
    };
    if (!b && a) changes.push({ op: 'create', ...where, item: a.item, diff: fieldDiff(undefined, a.item) });
    else if (b && !a) changes.push({ op: 'delete', ...where, diff: fieldDiff(b.item, undefined) });
    else if (a && b) {
      const diff = fieldDiff(b.item, a.item);
      if (diff.length > 0) changes.push({ op: 'update', ...where, item: a.item, diff });
    }
  }
  return changes;
}

/**
 * The plan that brings the server (its snapshot) to the repository. Principals and resources are
 * compared only when the repository has their folder: without it the server's stay as they are.
 */
export function makePlan(repository: PolicyRepository, snapshot: PolicySnapshot, server: string): Plan {
  const changes = compare(
    snapshot.policies.map((p) => ({
      key: p.policyId,
      kind: 'policy',
      id: p.policyId,
      item: p.document ? normalizedServerPolicy(p.format, p.document, p.policyId) : {},
    })),
    repository.policies.map((p) => ({
      key: p.id,
      kind: 'policy',
      id: p.id,
      item: { format: p.format, document: p.stored },
    })),
  );
  if (repository.principals) {
    changes.push(
      ...compare(
        snapshot.principals.flatMap((p) =>
          p.principal
            ? [
                {
                  key: p.principalId,
                  kind: 'principal' as const,
                  id: p.principalId,
                  item: principalItem(p.principal),
                },
              ]
            : [],
        ),
        repository.principals.map(({ principal }) => ({
          key: principal.id,
          kind: 'principal',
          id: principal.id,
          item: principalItem(principal),
        })),
      ),
    );
  }
  if (repository.resources) {
    changes.push(
      ...compare(
        (snapshot.resources ?? []).flatMap((r) =>
          r.resource
            ? [
                {
                  key: `${r.resourceType}/${r.resourceId}`,
                  kind: 'resource' as const,
                  id: r.resourceId,
                  type: r.resourceType,
                  item: { properties: r.resource.properties },
                },
              ]
            : [],
        ),
        repository.resources.map(({ resource }) => ({
          key: `${resource.type}/${resource.id}`,
          kind: 'resource',
          id: resource.id,
          type: resource.type,
          item: { properties: resource.properties },
        })),
      ),
    );
  }
  const count = (op: PlannedChange['op']) => changes.filter((c) => c.op === op).length;
  return {
    ztctl_plan: 1,
    server,
    revision: snapshot.revision,
    created_at: new Date().toISOString(),
    summary: { create: count('create'), update: count('update'), delete: count('delete') },
    changes,
  };
}

const SIGN = { create: '+', update: '~', delete: '-' } as const;

const show = (value: unknown) => (value === undefined ? '(none)' : JSON.stringify(value));

/** The plan for a reader, like `terraform plan`: one block per change, one line per member. */
export function describePlan(plan: Plan): string {
  const { create, update, delete: remove } = plan.summary;
  if (plan.changes.length === 0)
    return `no changes: the server at revision ${plan.revision} matches the repository`;
  const lines = plan.changes.map((c) => {
    const name = c.kind === 'resource' ? `${c.type}/${c.id}` : c.id;
    const head = `${SIGN[c.op]} ${c.kind} ${name} (${c.op})`;
    if (c.op !== 'update') return head;
    return [head, ...c.diff.map((d) => `    ${d.pointer}: ${show(d.before)} -> ${show(d.after)}`)].join('\n');
  });
  const impact = plan.impact ? `\n\n${describeImpact(plan.impact)}` : '';
  return `${lines.join('\n')}\n\nplan against revision ${plan.revision}: ${create} to create, ${update} to change, ${remove} to delete${impact}`;
}
