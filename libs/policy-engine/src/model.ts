/** What a policy does when it applies; deny beats isolate beats require_mfa beats allow. */
export type Effect = 'allow' | 'deny' | 'require_mfa' | 'isolate';

/** enforce: decides; audit: evaluated and reported only; disabled: skipped. */
export type EnforcementMode = 'enforce' | 'audit' | 'disabled';

/** The accepted input shapes: seed 000 (API), seed 001 (NIST SP 800-207), seed 002 (ZTNA). */
export type PolicyFormat = 'zt' | 'nist' | 'ztna';

/** Who a policy is for: everyone, or a user / group / role / service account by name. */
export type SubjectMatcher = { kind: 'any' } | { kind: 'user' | 'group' | 'role' | 'service'; value: string };

/** A context condition of a policy; all of a policy's conditions must hold for it to apply. */
export type Condition =
  | { kind: 'equals'; attribute: string; value: string | boolean }
  | { kind: 'at_most'; attribute: string; limit: number }
  | { kind: 'one_of'; attribute: string; values: string[] }
  | { kind: 'device_posture'; posture: string }
  | { kind: 'location'; set: string; countries: string[] };

/** The engine's one model of a policy, whatever shape it was written in. Plain JSON. */
export interface CanonicalPolicy {
  id: string;
  version: number;
  name: string;
  description?: string;
  effect: Effect;
  enforcementMode: EnforcementMode;
  subjects: SubjectMatcher[];
  /** Resource id globs: `*` any run of characters, `?` one character. */
  resources: string[];
  /** Actions; `*` is every action. */
  actions: string[];
  conditions: Condition[];
  /** The seed 000 `conditions` map as written, kept for a faithful export. */
  conditionsSource?: Record<string, unknown>;
  sourceFormat: PolicyFormat;
}

/** One problem in a policy document: where (RFC 6901 pointer into the input) and what. */
export interface ValidationIssue {
  pointer: string;
  message: string;
  keyword?: string;
}

export type ParseResult =
  { ok: true; policy: CanonicalPolicy; format: PolicyFormat } | { ok: false; errors: ValidationIssue[] };

export interface SubjectInput {
  type?: string;
  id: string;
  roles?: string[];
  groups?: string[];
  attributes?: Record<string, unknown>;
}

export interface ResourceInput {
  type?: string;
  id: string;
  attributes?: Record<string, unknown>;
}

/** A question to the engine: may this subject do this action on this resource, in this context? */
export interface DecisionRequest {
  subject: SubjectInput;
  action: string;
  resource: ResourceInput;
  context?: Record<string, unknown>;
}

/** How one candidate policy fared: applied, or the first condition that failed and why. */
export interface CandidateOutcome {
  id: string;
  version: number;
  effect: Effect;
  enforcementMode: EnforcementMode;
  applies: boolean;
  /** Why it does not apply (absent when it applies). */
  failed?: { condition: string; reason: string };
}

/** A decision and its explanation. */
export interface DecisionResult {
  decision: Effect;
  /** The enforced policies whose effect is the decision (empty for deny by default). */
  decidingPolicies: { id: string; version: number }[];
  reasons: string[];
  /** What audit-mode policies would have decided, had they been enforced. */
  audit: { id: string; version: number; wouldDecide: Effect }[];
  candidates: CandidateOutcome[];
}

/** Engine settings: named country sets for `location`, and the clock. */
export interface EngineOptions {
  locationSets?: Record<string, string[]>;
  now?: () => Date;
}
