import { CommonConditions, commonConditionsHold, commonConditionsOf } from './common-conditions';
import { compileConditions, ConditionCheck } from './conditions';
import { compileGlob, Glob, globMatches } from './glob';
import type {
  CanonicalPolicy,
  ConditionFailure,
  DecisionRequest,
  Effect,
  EnforcementMode,
  ResourceMatcher,
  SessionLimits,
  SubjectMatcher,
} from './model';
import { requestPort } from './request-facts';
import { namedSubjectMatches, subjectMatches } from './subject-match';
import type { Vocabulary } from './vocabulary';

interface CompiledResource {
  glob: Glob;
  type: string | undefined;
  /** The resource's own actions (seed 001), replacing the policy's. */
  actions: readonly string[] | undefined;
  ports: readonly number[] | undefined;
}

const NO_RESOURCES: readonly CompiledResource[] = Object.freeze([]);

/** Whether a resource is one glob and nothing else, so the policy's own fields can hold it. */
const isPlain = (r: ResourceMatcher) => !r.type && !r.actions && !r.ports;

/** Whether a subject is a kind and a name, so the policy's own fields can hold it. */
const isNamed = (s: SubjectMatcher) => s.kind === 'any' || (!s.identityProvider && !s.attributes);

// The engine's own copies of the words a policy is made of. A policy's words came from its
// document, one string object per policy; comparing the engine's constants with its own copy
// (`enforcementMode === 'disabled'`, `case 'group'`) then reads no string from memory.
const EFFECTS: readonly Effect[] = ['allow', 'deny', 'require_mfa', 'isolate'];
const MODES: readonly EnforcementMode[] = ['enforce', 'audit', 'disabled'];
const SUBJECT_KINDS: readonly SubjectMatcher['kind'][] = [
  'any',
  'user',
  'group',
  'role',
  'service',
  'workload',
  'device',
];
const own = <W extends string>(word: W, words: readonly W[]): W => words.find((w) => w === word) ?? word;

/**
 * A policy prepared for evaluation, when it is loaded. With 100,000 policies most of them are not
 * in the CPU's caches when a request names them, and each object fetched while checking one is a
 * main-memory round trip; so the common policy (one plain resource glob, one subject, common
 * conditions) is checked from this object's own fields: primitives, and strings or objects shared
 * with the whole set (see Vocabulary). Other policies keep general lists, compiled as before.
 * Fields are in the order evaluation reads them; what only explanations or exports need is last.
 */
export class CompiledPolicy {
  readonly id: string;
  readonly version: number;
  readonly effect: Effect;
  readonly enforcementMode: EnforcementMode;
  readonly session: SessionLimits | undefined;
  /** One plain resource and one named subject: the target is checked from the fields below. */
  readonly simpleTarget: boolean;
  readonly globShape: Glob['shape'];
  /** For an exact glob, its length: an id that starts with the literal matches at that length. */
  readonly globLength: number;
  readonly anyAction: boolean;
  /** The policy's actions as Vocabulary bits, unless `actionList` is set. */
  readonly actionMask: number;
  /** The actions, when one of them has no bit in the vocabulary. */
  readonly actionList: readonly string[] | undefined;
  readonly subjectKind: SubjectMatcher['kind'];
  readonly subjectValue: string;
  /** All of the policy's conditions, when every one is common (shared with the set). */
  readonly common: CommonConditions | undefined;
  readonly glob: Glob;
  readonly policy: CanonicalPolicy;
  /** Every target part, for policies that are not simple. */
  readonly subjects: readonly SubjectMatcher[];
  readonly resources: readonly CompiledResource[];
  /** The checks of each condition in order, unless all are common (then made on a failure). */
  readonly conditions: readonly ConditionCheck[] | undefined;

  constructor(policy: CanonicalPolicy, vocabulary: Vocabulary) {
    const resource = policy.resources.length === 1 ? policy.resources[0] : undefined;
    const subject = policy.subjects.length === 1 ? policy.subjects[0] : undefined;
    const simple = resource !== undefined && isPlain(resource) && subject !== undefined && isNamed(subject);
    const glob = compileGlob(resource?.pattern ?? '');
    const bits = policy.actions.map((a) => vocabulary.assignActionBit(a));
    const common = commonConditionsOf(policy.conditions, vocabulary);
    this.id = policy.id;
    this.version = policy.version;
    this.effect = own(policy.effect, EFFECTS);
    this.enforcementMode = own(policy.enforcementMode, MODES);
    this.session = policy.session;
    this.simpleTarget = simple;
    this.globShape = glob.shape;
    this.globLength = glob.shape === 'exact' ? glob.literal.length : 0;
    this.anyAction = policy.actions.includes('*');
    this.actionMask = bits.reduce((mask, bit) => mask | bit, 0);
    this.actionList = bits.includes(0) ? policy.actions : undefined;
    this.subjectKind = own(subject?.kind ?? 'any', SUBJECT_KINDS);
    this.subjectValue = subject && subject.kind !== 'any' ? subject.value : '';
    this.common = common;
    this.glob = glob;
    this.policy = policy;
    this.subjects = simple ? [] : policy.subjects;
    this.resources = simple ? NO_RESOURCES : policy.resources.map(compileResource);
    this.conditions = common ? undefined : compileConditions(policy);
  }
}

function compileResource(matcher: ResourceMatcher): CompiledResource {
  return {
    glob: compileGlob(matcher.pattern),
    type: matcher.type,
    actions: matcher.actions,
    ports: matcher.ports,
  };
}

/** Compiles a canonical policy against its set's vocabulary. */
export function compilePolicy(policy: CanonicalPolicy, vocabulary: Vocabulary): CompiledPolicy {
  return new CompiledPolicy(policy, vocabulary);
}

/** Whether the policy's own actions include the request's (whose vocabulary bit is `bit`). */
function policyActionAllowed(compiled: CompiledPolicy, action: string, bit: number): boolean {
  if (compiled.anyAction) return true;
  return compiled.actionList ? compiled.actionList.includes(action) : (compiled.actionMask & bit) !== 0;
}

function resourceMatches(
  resource: CompiledResource,
  policy: CompiledPolicy,
  request: DecisionRequest,
  bit: number,
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
    : policyActionAllowed(policy, request.action, bit);
  if (!actionAllowed) return false;
  const port = requestPort(request);
  return resource.ports === undefined || (port !== undefined && resource.ports.includes(port));
}

/**
 * Whether a simple policy's glob matches the id. `viaPrefix`: the index found the policy under
 * its glob's literal prefix, so the id is known to start with it; a `prefix*` or `*` glob then
 * matches outright, and an exact one when the lengths agree, without reading the literal.
 */
function simpleGlobMatches(compiled: CompiledPolicy, id: string, viaPrefix: boolean): boolean {
  if (viaPrefix) {
    switch (compiled.globShape) {
      case 'prefix':
      case 'any':
        return true;
      case 'exact':
        return id.length === compiled.globLength;
      case 'suffix':
      case 'pattern':
        break;
    }
  }
  return globMatches(compiled.glob, id);
}

/**
 * Whether the policy's target (subject, resource, action) covers the request; conditions aside.
 * `bit` is the request action's vocabulary bit; `viaPrefix` says the index found the policy
 * through its resource's literal prefix (only ever true for a policy with one resource).
 */
export function targets(
  compiled: CompiledPolicy,
  request: DecisionRequest,
  bit: number,
  viaPrefix: boolean,
): boolean {
  if (compiled.simpleTarget) {
    return (
      simpleGlobMatches(compiled, request.resource.id, viaPrefix) &&
      policyActionAllowed(compiled, request.action, bit) &&
      namedSubjectMatches(compiled.subjectKind, compiled.subjectValue, request.subject)
    );
  }
  return (
    compiled.resources.some((r) => resourceMatches(r, compiled, request, bit)) &&
    compiled.subjects.some((s) => subjectMatches(s, request.subject))
  );
}

/** The first condition that does not hold, or undefined when all hold. */
export function firstFailure(
  compiled: CompiledPolicy,
  request: DecisionRequest,
  now: () => Date,
): ConditionFailure | undefined {
  if (compiled.common && commonConditionsHold(compiled.common, request)) return undefined;
  for (const check of compiled.conditions ?? compileConditions(compiled.policy)) {
    const failure = check(request, now);
    if (failure) return failure;
  }
  return undefined;
}
