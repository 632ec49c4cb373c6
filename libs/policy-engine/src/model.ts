/** What a policy does when it applies; deny beats isolate beats require_mfa beats allow. */
export type Effect = 'allow' | 'deny' | 'require_mfa' | 'isolate';

/** enforce: decides; audit: evaluated and reported only; disabled: skipped. */
export type EnforcementMode = 'enforce' | 'audit' | 'disabled';

/** The accepted input shapes: seed 000 (API), seed 001 (NIST SP 800-207), seed 002 (ZTNA). */
export type PolicyFormat = 'zt' | 'nist' | 'ztna';

/** Kinds of principal a policy can name. Roles and groups match the subject's memberships. */
export type SubjectKind = 'user' | 'group' | 'role' | 'service' | 'workload' | 'device';

/** Who a policy is for: everyone, or one principal or membership by name. */
export type SubjectMatcher =
  | { kind: 'any' }
  | {
      kind: SubjectKind;
      value: string;
      /** ZTNA: the identity provider that must have authenticated the subject. */
      identityProvider?: string;
      /** NIST: attributes the subject must carry with these exact values. */
      attributes?: Record<string, unknown>;
    };

/** What a policy governs: a resource id glob, optionally typed, with its own actions or ports. */
export interface ResourceMatcher {
  /** Glob over the request's resource id: `*` any run of characters, `?` one character. */
  pattern: string;
  type?: string;
  /** NIST per-resource actions; when absent the policy's actions apply. */
  actions?: string[];
  /** ZTNA: the fully qualified domain name written in the policy (matched as `pattern`). */
  fqdn?: string;
  /** ZTNA: the resource id written next to an fqdn (kept for export). */
  id?: string;
  /** ZTNA: ports the request's `resource.attributes.port` (or `context.port`) must be one of. */
  ports?: number[];
}

/** Device checks of seed 001's `devicePosture`. */
export interface DeviceChecks {
  managed?: boolean;
  encryptionEnabled?: boolean;
  /** Minimum OS version, e.g. `macOS 14.0` or `Windows 11`. */
  osVersion?: string;
  edrInstalled?: boolean;
}

/** Authentication assurance levels, weakest first. */
export const AUTHENTICATION_STRENGTHS = [
  'password',
  'mfa',
  'phishing-resistant-mfa',
  'hardware-token',
] as const;
export type AuthenticationStrength = (typeof AUTHENTICATION_STRENGTHS)[number];

/** A context condition of a policy; all of a policy's conditions must hold for it to apply. */
export type Condition =
  | { kind: 'device_posture'; postures: string[] }
  | { kind: 'device_checks'; checks: DeviceChecks }
  /** `set` is the named set (or the single country code) as written; absent for a list of codes. */
  | { kind: 'location'; countries: string[]; set?: string }
  | { kind: 'network'; cidrs?: string[]; requireVpn?: boolean }
  | { kind: 'time_window'; window: string }
  | { kind: 'risk_max'; max: number }
  | { kind: 'authentication_strength'; minimum: AuthenticationStrength }
  | { kind: 'mfa'; required: boolean }
  | { kind: 'expression'; source: string }
  | { kind: 'attribute'; name: string; value: string | number | boolean | string[] };

/** Session limits from seed 002, returned as obligations of an allowing decision. */
export interface SessionLimits {
  maxDurationSeconds?: number;
  reauthIntervalSeconds?: number;
}

/** The engine's one model of a policy, whatever shape it was written in. Plain JSON. */
export interface CanonicalPolicy {
  id: string;
  /** The policy's version in this system (policy-admin counts them). */
  version: number;
  name: string;
  description?: string;
  effect: Effect;
  enforcementMode: EnforcementMode;
  subjects: SubjectMatcher[];
  resources: ResourceMatcher[];
  /** Actions of the policy; `*` is every action. */
  actions: string[];
  conditions: Condition[];
  session?: SessionLimits;
  owner?: string;
  /** Seed 001's semantic version string, kept for export. */
  semanticVersion?: string;
  created?: string;
  modified?: string;
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

/** Why a condition did not hold, for an administrator and for the end user. */
export interface ConditionFailure {
  condition: Condition['kind'];
  /** Full detail, e.g. "risk 82 above 75; allowed at or below 75". */
  admin: string;
  /** What the user can do about it, without revealing policy internals. */
  user: string;
}

/** How one candidate policy fared: it applies, or the first condition that failed and why. */
export interface CandidateOutcome {
  id: string;
  version: number;
  effect: Effect;
  enforcementMode: EnforcementMode;
  applies: boolean;
  failed?: ConditionFailure;
}

/** Something the policy enforcement point must do along with the decision. */
export type Obligation = { type: 'session'; policyId: string } & SessionLimits;

/** A decision and its explanation. */
export interface DecisionResult {
  decision: Effect;
  /** The enforced policies whose effect is the decision (empty for deny by default). */
  decidingPolicies: { id: string; version: number }[];
  /** Why, in an administrator's words. */
  reasons: string[];
  /** Why, in words fit for the end user. */
  userReasons: string[];
  obligations: Obligation[];
  /** What audit-mode policies would have decided, had they been enforced. */
  audit: { id: string; version: number; wouldDecide: Effect }[];
  /** Every policy whose target covered the request, and how it fared. */
  candidates: CandidateOutcome[];
}

/** Engine settings: named country sets for `location`, and the clock. */
export interface EngineOptions {
  locationSets?: Record<string, readonly string[]>;
  now?: () => Date;
}
