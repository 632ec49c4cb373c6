import {
  DirectoryPrincipal,
  DirectoryResource,
  PolicySnapshot,
  RecordedDecisionInput,
  resourceKey,
} from '@zt/contracts';
import { CanonicalPolicy, DecisionRequest, DecisionResult, parsePolicy, PolicySet } from '@zt/policy-engine';

/** One side of a replay: the policies, directory and resources a decision is evaluated against. */
export interface ReplaySide {
  evaluate(request: DecisionRequest, at: Date): DecisionResult;
  principal(id: string): DirectoryPrincipal | undefined;
  resource(type: string, id: string): DirectoryResource | undefined;
}

/** A change of the state, as a change set makes it (already validated). */
export type StateEdit =
  | { kind: 'policy'; id: string; policy: CanonicalPolicy | null }
  | { kind: 'principal'; id: string; principal: DirectoryPrincipal | null }
  | { kind: 'resource'; type: string; id: string; resource: DirectoryResource | null };

/**
 * A policy set with a clock the replay sets to each recorded decision's time, so that time
 * windows decide as they did then.
 */
class ReplayedState implements ReplaySide {
  private clock = new Date(0);
  readonly policies = new PolicySet({ now: () => this.clock });
  readonly principals = new Map<string, DirectoryPrincipal>();
  readonly resources = new Map<string, DirectoryResource>();

  evaluate(request: DecisionRequest, at: Date): DecisionResult {
    this.clock = at;
    return this.policies.evaluate(request);
  }

  principal(id: string): DirectoryPrincipal | undefined {
    return this.principals.get(id);
  }

  resource(type: string, id: string): DirectoryResource | undefined {
    return this.resources.get(resourceKey(type, id));
  }

  apply(edit: StateEdit): void {
    switch (edit.kind) {
      case 'policy':
        if (edit.policy) this.policies.upsert(edit.policy);
        else this.policies.remove(edit.id);
        return;
      case 'principal':
        if (edit.principal) this.principals.set(edit.id, edit.principal);
        else this.principals.delete(edit.id);
        return;
      case 'resource':
        if (edit.resource) this.resources.set(resourceKey(edit.type, edit.id), edit.resource);
        else this.resources.delete(resourceKey(edit.type, edit.id));
        return;
    }
  }
}

/**
 * The state before a change set (as stored) and after it, built from one snapshot. Stored
 * policies are parsed as a decision replica parses them; one that no longer parses is left out
 * of both sides, as a replica leaves it out.
 */
export function replaySides(
  snapshot: PolicySnapshot,
  edits: StateEdit[],
): { before: ReplaySide; after: ReplaySide } {
  const sides = [new ReplayedState(), new ReplayedState()];
  for (const stored of snapshot.policies) {
    if (stored.document === null) continue;
    const parsed = parsePolicy(stored.document, {
      format: stored.format,
      defaultId: stored.policyId,
      version: stored.version,
    });
    if (!parsed.ok) continue;
    for (const side of sides) side.policies.upsert(parsed.policy);
  }
  for (const { principalId, principal } of snapshot.principals) {
    if (principal) for (const side of sides) side.principals.set(principalId, principal);
  }
  for (const { resourceType, resourceId, resource } of snapshot.resources ?? []) {
    if (resource)
      for (const side of sides) side.resources.set(resourceKey(resourceType, resourceId), resource);
  }
  for (const edit of edits) sides[1].apply(edit);
  return { before: sides[0], after: sides[1] };
}

const union = (a: string[] | undefined, b: string[]): string[] => [...new Set([...(a ?? []), ...b])];

/**
 * The recorded request as it would reach the engine with `side`'s directories: the facts the
 * stored directory (`stored`, the state before the change) contributed are taken out, and the
 * side's are joined as the decision service joins them (its roles and groups added, its type and
 * attributes winning). A role the caller's token asserted and the directory also held counts as
 * the directory's: a change that takes it from the directory takes it from the replay.
 */
export function rejoined(
  input: RecordedDecisionInput,
  stored: ReplaySide,
  side: ReplaySide,
): DecisionRequest {
  const request = input;
  const was = stored.principal(input.subject.id);
  const is = side.principal(input.subject.id);
  const type = input.resource.type;
  const wasResource = type === undefined ? undefined : stored.resource(type, input.resource.id);
  const isResource = type === undefined ? undefined : side.resource(type, input.resource.id);
  if (was === is && wasResource === isResource) return request;
  let { subject, resource } = request;
  if (was !== is) {
    const base = {
      roles: (subject.roles ?? []).filter((r) => !was?.roles.includes(r)),
      groups: (subject.groups ?? []).filter((g) => !was?.groups.includes(g)),
      attributes: withoutKeys(subject.attributes, was?.attributes),
    };
    subject = is
      ? {
          ...subject,
          type: is.type,
          roles: union(base.roles, is.roles),
          groups: union(base.groups, is.groups),
          attributes: { ...base.attributes, ...is.attributes },
        }
      : { ...subject, ...base };
  }
  if (wasResource !== isResource) {
    const attributes = withoutKeys(resource.attributes, wasResource?.properties);
    resource = { ...resource, attributes: { ...attributes, ...(isResource?.properties ?? {}) } };
  }
  return { ...request, subject, resource };
}

function withoutKeys(
  values: Record<string, unknown> | undefined,
  remove: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values ?? {})) if (!remove || !(k in remove)) out[k] = v;
  return out;
}
