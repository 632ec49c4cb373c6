import { compileConditions, ConditionCheck } from './conditions';
import { compileGlob, GlobMatcher } from './glob';
import type {
  CanonicalPolicy,
  ConditionFailure,
  DecisionRequest,
  ResourceMatcher,
  SubjectMatcher,
} from './model';
import { requestPort } from './request-facts';

interface CompiledResource {
  matcher: ResourceMatcher;
  glob: GlobMatcher;
  actions?: Set<string>;
}

/** A policy prepared for evaluation: globs and conditions compiled once, when it is loaded. */
export interface CompiledPolicy {
  policy: CanonicalPolicy;
  resources: CompiledResource[];
  anyAction: boolean;
  actions: Set<string>;
  conditions: ConditionCheck[];
}

/** Compiles a canonical policy. */
export function compilePolicy(policy: CanonicalPolicy): CompiledPolicy {
  return {
    policy,
    resources: policy.resources.map((matcher) => ({
      matcher,
      glob: compileGlob(matcher.pattern),
      ...(matcher.actions ? { actions: new Set(matcher.actions) } : {}),
    })),
    anyAction: policy.actions.includes('*'),
    actions: new Set(policy.actions),
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
  if (!resource.glob(request.resource.id)) return false;
  if (
    resource.matcher.type !== undefined &&
    request.resource.type !== undefined &&
    resource.matcher.type !== request.resource.type
  ) {
    return false;
  }
  const actionAllowed = resource.actions
    ? resource.actions.has(request.action) || resource.actions.has('*')
    : policy.anyAction || policy.actions.has(request.action);
  if (!actionAllowed) return false;
  const port = requestPort(request);
  return (
    resource.matcher.ports === undefined || (port !== undefined && resource.matcher.ports.includes(port))
  );
}

/** Whether the policy's target (subject, resource, action) covers the request; conditions aside. */
export function targets(compiled: CompiledPolicy, request: DecisionRequest): boolean {
  return (
    compiled.resources.some((r) => resourceMatches(r, compiled, request)) &&
    compiled.policy.subjects.some((s) => subjectMatches(s, request))
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
