import { compileConditions, ConditionCheck } from './conditions';
import { compileGlob, Glob, globMatches } from './glob';
import type {
  CanonicalPolicy,
  ConditionFailure,
  DecisionRequest,
  Effect,
  EnforcementMode,
  SessionLimits,
  SubjectMatcher,
} from './model';
import { requestPort } from './request-facts';

interface CompiledResource {
  glob: Glob;
  type: string | undefined;
  /** The resource's own actions (seed 001), replacing the policy's. */
  actions: readonly string[] | undefined;
  ports: readonly number[] | undefined;
}

/**
 * A policy prepared for evaluation: globs and conditions compiled once, when it is loaded. What
 * every evaluation reads is copied onto this one object (and fixed in shape), so checking a
 * candidate fetches few objects from memory: with 100,000 policies most of them are not in the
 * CPU's caches, and each object fetched is a cache miss.
 */
export interface CompiledPolicy {
  readonly policy: CanonicalPolicy;
  readonly id: string;
  readonly version: number;
  readonly effect: Effect;
  readonly enforcementMode: EnforcementMode;
  readonly session: SessionLimits | undefined;
  readonly subjects: readonly SubjectMatcher[];
  readonly resources: readonly CompiledResource[];
  readonly anyAction: boolean;
  readonly actions: readonly string[];
  readonly conditions: readonly ConditionCheck[];
}

/** Compiles a canonical policy. */
export function compilePolicy(policy: CanonicalPolicy): CompiledPolicy {
  return {
    policy,
    id: policy.id,
    version: policy.version,
    effect: policy.effect,
    enforcementMode: policy.enforcementMode,
    session: policy.session,
    subjects: policy.subjects,
    resources: policy.resources.map((matcher) => ({
      glob: compileGlob(matcher.pattern),
      type: matcher.type,
      actions: matcher.actions,
      ports: matcher.ports,
    })),
    anyAction: policy.actions.includes('*'),
    actions: policy.actions,
    conditions: compileConditions(policy),
  };
}

function attributesMatch(
  expected: Record<string, unknown> | undefined,
  actual: Record<string, unknown> | undefined,
): boolean {
  if (!expected) return true;
  return Object.entries(expected).every(([k, v]) => actual?.[k] === v);
}

// Which request subject types a typed matcher accepts; an untyped request subject matches any.
const SUBJECT_TYPES: Record<string, string[]> = {
  user: ['user'],
  service: ['service', 'service_account', 'service-account'],
  workload: ['workload'],
  device: ['device'],
};

/** Whether a subject matcher covers the request's subject (id, memberships, IdP, attributes). */
export function subjectMatches(matcher: SubjectMatcher, request: DecisionRequest): boolean {
  if (matcher.kind === 'any') return true;
  const { subject } = request;
  let named: boolean;
  switch (matcher.kind) {
    case 'group':
      named = subject.groups?.includes(matcher.value) ?? false;
      break;
    case 'role':
      named = subject.roles?.includes(matcher.value) ?? false;
      break;
    case 'user':
    case 'service':
    case 'workload':
    case 'device':
      named =
        subject.id === matcher.value &&
        (subject.type === undefined || SUBJECT_TYPES[matcher.kind].includes(subject.type));
      break;
  }
  return (
    named &&
    (matcher.identityProvider === undefined ||
      subject.attributes?.identity_provider === matcher.identityProvider) &&
    attributesMatch(matcher.attributes, subject.attributes)
  );
}

function resourceMatches(
  resource: CompiledResource,
  policy: CompiledPolicy,
  request: DecisionRequest,
): boolean {
  if (!globMatches(resource.glob, request.resource.id)) return false;
  if (
    resource.type !== undefined &&
    request.resource.type !== undefined &&
    resource.type !== request.resource.type
  ) {
    return false;
  }
  const actionAllowed = resource.actions
    ? resource.actions.includes(request.action) || resource.actions.includes('*')
    : policy.anyAction || policy.actions.includes(request.action);
  if (!actionAllowed) return false;
  const port = requestPort(request);
  return resource.ports === undefined || (port !== undefined && resource.ports.includes(port));
}

/** Whether the policy's target (subject, resource, action) covers the request; conditions aside. */
export function targets(compiled: CompiledPolicy, request: DecisionRequest): boolean {
  return (
    compiled.resources.some((r) => resourceMatches(r, compiled, request)) &&
    compiled.subjects.some((s) => subjectMatches(s, request))
  );
}

/** The first condition that does not hold, or undefined when all hold. */
export function firstFailure(
  compiled: CompiledPolicy,
  request: DecisionRequest,
  now: () => Date,
): ConditionFailure | undefined {
  for (const check of compiled.conditions) {
    const failure = check(request, now);
    if (failure) return failure;
  }
  return undefined;
}
