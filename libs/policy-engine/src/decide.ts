import { CompiledPolicy, firstFailure } from './compiled-policy';
import type { CandidateOutcome, DecisionRequest, DecisionResult, Effect, Obligation } from './model';
import { usedMfa } from './request-facts';

/** Effects by precedence: the first one present among applying enforced policies decides. */
export const EFFECT_PRECEDENCE: readonly Effect[] = ['deny', 'isolate', 'require_mfa', 'allow'];

const USER_WORDS: Record<Effect, string> = {
  deny: 'Access is denied by policy.',
  isolate: 'Access is allowed in an isolated session only.',
  require_mfa: 'Multi-factor authentication is required.',
  allow: 'Access is allowed.',
};

/** Evaluates the target-matching candidates (sorted by id) and combines them into a decision. */
export function decide(
  candidates: CompiledPolicy[],
  request: DecisionRequest,
  now: () => Date,
): DecisionResult {
  // A require_mfa policy asks for a step-up; a session that already used MFA has done it, so for
  // that session the policy allows (it reads "allow, with MFA").
  const stepUpDone = usedMfa(request);
  const outcomes: CandidateOutcome[] = [];
  // The policies behind the outcomes, index for index (for their session limits).
  const evaluated: CompiledPolicy[] = [];
  for (const compiled of candidates) {
    if (compiled.enforcementMode === 'disabled') continue;
    const failed = firstFailure(compiled, request, now);
    const outcome: CandidateOutcome = {
      id: compiled.id,
      version: compiled.version,
      effect: compiled.effect === 'require_mfa' && stepUpDone ? 'allow' : compiled.effect,
      enforcementMode: compiled.enforcementMode,
      applies: failed === undefined,
    };
    if (failed) outcome.failed = failed;
    outcomes.push(outcome);
    evaluated.push(compiled);
  }
  const enforced = outcomes.filter((c) => c.applies && c.enforcementMode === 'enforce');
  const decision = EFFECT_PRECEDENCE.find((e) => enforced.some((c) => c.effect === e));
  const deciding = decision ? enforced.filter((c) => c.effect === decision) : [];
  const failures = outcomes.filter((c) => c.failed && c.enforcementMode === 'enforce');

  const reasons = decision
    ? deciding.map((c) => `${decision} by policy ${c.id} v${c.version}`)
    : ['no policy applies: denied by default'];
  for (const c of failures) {
    reasons.push(`policy ${c.id} v${c.version} (${c.effect}) does not apply: ${c.failed?.admin}`);
  }
  const userReasons = decision
    ? [USER_WORDS[decision]]
    : failures.length > 0
      ? [...new Set(failures.filter((c) => c.effect !== 'deny').map((c) => c.failed?.user ?? ''))].filter(
          Boolean,
        )
      : ['No policy grants this access.'];
  if (userReasons.length === 0) userReasons.push('No policy grants this access.');

  const obligations: Obligation[] = [];
  if (decision === 'allow' || decision === 'isolate') {
    outcomes.forEach((c, i) => {
      const { session } = evaluated[i];
      if (session && deciding.includes(c)) obligations.push({ type: 'session', policyId: c.id, ...session });
    });
  }
  return {
    decision: decision ?? 'deny',
    decidingPolicies: deciding.map(({ id, version }) => ({ id, version })),
    reasons,
    userReasons,
    obligations,
    audit: outcomes
      .filter((c) => c.applies && c.enforcementMode === 'audit')
      .map(({ id, version, effect }) => ({ id, version, wouldDecide: effect })),
    candidates: outcomes,
  };
}
