import { ConditionFailure, checkCondition } from './conditions';
import { compileGlob } from './glob';
import type {
  CandidateOutcome,
  CanonicalPolicy,
  DecisionRequest,
  DecisionResult,
  Effect,
  EngineOptions,
  SubjectMatcher,
} from './model';

/** Effects by precedence: the first one present among applying policies decides. */
export const EFFECT_PRECEDENCE: readonly Effect[] = ['deny', 'isolate', 'require_mfa', 'allow'];

interface CompiledPolicy {
  policy: CanonicalPolicy;
  resources: RegExp[];
  anyAction: boolean;
  actions: Set<string>;
}

function compile(policy: CanonicalPolicy): CompiledPolicy {
  return {
    policy,
    resources: policy.resources.map(compileGlob),
    anyAction: policy.actions.includes('*'),
    actions: new Set(policy.actions),
  };
}

function subjectMatches(matcher: SubjectMatcher, request: DecisionRequest): boolean {
  const { subject } = request;
  switch (matcher.kind) {
    case 'any':
      return true;
    case 'user':
      return subject.id === matcher.value;
    case 'service':
      return subject.id === matcher.value && (subject.type === undefined || subject.type === 'service');
    case 'group':
      return subject.groups?.includes(matcher.value) ?? false;
    case 'role':
      return subject.roles?.includes(matcher.value) ?? false;
  }
}

/** Whether a compiled policy's target (subject, action, resource) covers the request. */
function targets(compiled: CompiledPolicy, request: DecisionRequest): boolean {
  return (
    (compiled.anyAction || compiled.actions.has(request.action)) &&
    compiled.resources.some((r) => r.test(request.resource.id)) &&
    compiled.policy.subjects.some((s) => subjectMatches(s, request))
  );
}

function firstFailure(policy: CanonicalPolicy, request: DecisionRequest): ConditionFailure | undefined {
  for (const condition of policy.conditions) {
    const failure = checkCondition(condition, request);
    if (failure) return failure;
  }
  return undefined;
}

/**
 * The active policy set, compiled once per policy and indexed by action, so a request only
 * looks at policies that name its action (or every action). Upsert and remove are incremental.
 */
export class PolicySet {
  private readonly compiled = new Map<string, CompiledPolicy>();
  private readonly byAction = new Map<string, Set<string>>();

  constructor(readonly options: EngineOptions = {}) {}

  get size(): number {
    return this.compiled.size;
  }

  get(id: string): CanonicalPolicy | undefined {
    return this.compiled.get(id)?.policy;
  }

  /** Adds or replaces a policy. */
  upsert(policy: CanonicalPolicy): void {
    this.remove(policy.id);
    const compiled = compile(policy);
    this.compiled.set(policy.id, compiled);
    for (const action of compiled.anyAction ? ['*'] : compiled.actions) {
      let ids = this.byAction.get(action);
      if (!ids) this.byAction.set(action, (ids = new Set()));
      ids.add(policy.id);
    }
  }

  /** Removes a policy; unknown ids are ignored. */
  remove(id: string): void {
    const compiled = this.compiled.get(id);
    if (!compiled) return;
    this.compiled.delete(id);
    for (const ids of this.byAction.values()) ids.delete(id);
  }

  /** Decides a request: deny > isolate > require_mfa > allow; nothing applies means deny. */
  evaluate(request: DecisionRequest): DecisionResult {
    const ids = new Set([...(this.byAction.get(request.action) ?? []), ...(this.byAction.get('*') ?? [])]);
    const candidates: CandidateOutcome[] = [];
    for (const id of [...ids].sort()) {
      const compiled = this.compiled.get(id);
      if (!compiled || compiled.policy.enforcementMode === 'disabled' || !targets(compiled, request))
        continue;
      const { policy } = compiled;
      const failed = firstFailure(policy, request);
      candidates.push({
        id: policy.id,
        version: policy.version,
        effect: policy.effect,
        enforcementMode: policy.enforcementMode,
        applies: failed === undefined,
        ...(failed ? { failed } : {}),
      });
    }
    const applying = candidates.filter((c) => c.applies);
    const enforced = applying.filter((c) => c.enforcementMode === 'enforce');
    const decision = EFFECT_PRECEDENCE.find((e) => enforced.some((c) => c.effect === e));
    const deciding = decision ? enforced.filter((c) => c.effect === decision) : [];
    const reasons = decision
      ? deciding.map((c) => `${decision} by policy ${c.id} v${c.version}`)
      : ['no policy applies: denied by default'];
    for (const c of candidates) {
      if (c.failed) reasons.push(`policy ${c.id} does not apply: ${c.failed.reason}`);
    }
    return {
      decision: decision ?? 'deny',
      decidingPolicies: deciding.map(({ id, version }) => ({ id, version })),
      reasons,
      audit: applying
        .filter((c) => c.enforcementMode === 'audit')
        .map(({ id, version, effect }) => ({ id, version, wouldDecide: effect })),
      candidates,
    };
  }
}
