import type { CompiledPolicy } from './compiled-policy';
import { compileGlob, Glob, globMatches } from './glob';
import type { CanonicalPolicy, ResourceInput, ResourceMatcher, SubjectInput } from './model';
import { namedSubjectMatches } from './subject-match';

/**
 * A decision request with one part left open, as the AuthZEN search APIs ask it: which subjects
 * (given action and resource), which resources of a type (given subject and action), which
 * actions (given subject and resource).
 */
export type SearchQuery =
  | { open: 'subject'; action: string; resource: ResourceInput }
  | { open: 'resource'; subject: SubjectInput; action: string; resourceType?: string }
  | { open: 'action'; subject: SubjectInput; resource: ResourceInput };

/**
 * A policy whose target can cover some request that fills the query's open part, with the parts
 * of its target that can: the resource matchers whose type and actions fit (open resource), the
 * actions it names for the subject and resource (open action; `*` as written). Subjects are the
 * policy's own (`policy.subjects`). Conditions are not looked at: a search evaluates each
 * candidate in full, so this only has to be a superset.
 */
export interface SearchTarget {
  policy: CanonicalPolicy;
  resources: readonly ResourceMatcher[];
  actions: readonly string[];
}

interface ResourcePart {
  matcher: ResourceMatcher;
  glob: Glob;
}

/** The policy's resources with their compiled globs (a simple policy keeps only its one glob). */
function resourceParts(compiled: CompiledPolicy): ResourcePart[] {
  const { resources } = compiled.policy;
  if (compiled.simpleTarget) return [{ matcher: resources[0], glob: compiled.glob }];
  return resources.map((matcher, i) => ({
    matcher,
    glob: compiled.resources[i]?.glob ?? compileGlob(matcher.pattern),
  }));
}

const actionsOf = (part: ResourcePart, policy: CanonicalPolicy): readonly string[] =>
  part.matcher.actions ?? policy.actions;

const allowsAction = (actions: readonly string[], action: string): boolean =>
  actions.includes(action) || actions.includes('*');

const typeFits = (matcher: ResourceMatcher, type: string | undefined): boolean =>
  matcher.type === undefined || type === undefined || matcher.type === type;

// Identity provider and subject attributes are left to the full evaluation (a superset is enough).
const subjectFits = (compiled: CompiledPolicy, subject: SubjectInput): boolean =>
  compiled.policy.subjects.some((s) =>
    s.kind === 'any' ? true : namedSubjectMatches(s.kind, s.value, subject),
  );

/**
 * Whether the policy's target can cover a request filling the query's open part, and with what;
 * undefined when it cannot. Ports (ZTNA) are left to the full evaluation.
 */
export function searchTargetOf(compiled: CompiledPolicy, query: SearchQuery): SearchTarget | undefined {
  const { policy } = compiled;
  if (policy.enforcementMode === 'disabled') return undefined;
  const parts = resourceParts(compiled);
  switch (query.open) {
    case 'subject': {
      const fits = parts.filter(
        (p) =>
          globMatches(p.glob, query.resource.id) &&
          typeFits(p.matcher, query.resource.type) &&
          allowsAction(actionsOf(p, policy), query.action),
      );
      return fits.length > 0
        ? { policy, resources: fits.map((p) => p.matcher), actions: [query.action] }
        : undefined;
    }
    case 'resource': {
      if (!subjectFits(compiled, query.subject)) return undefined;
      const fits = parts.filter(
        (p) => typeFits(p.matcher, query.resourceType) && allowsAction(actionsOf(p, policy), query.action),
      );
      return fits.length > 0
        ? { policy, resources: fits.map((p) => p.matcher), actions: [query.action] }
        : undefined;
    }
    case 'action': {
      if (!subjectFits(compiled, query.subject)) return undefined;
      const fits = parts.filter(
        (p) => globMatches(p.glob, query.resource.id) && typeFits(p.matcher, query.resource.type),
      );
      if (fits.length === 0) return undefined;
      const actions = [...new Set(fits.flatMap((p) => actionsOf(p, policy)))];
      return { policy, resources: fits.map((p) => p.matcher), actions };
    }
  }
}
