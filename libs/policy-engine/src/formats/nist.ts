import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type {
  AuthenticationStrength,
  CanonicalPolicy,
  Condition,
  DeviceChecks,
  ParseResult,
  ResourceMatcher,
  SubjectKind,
  SubjectMatcher,
  ValidationIssue,
} from '../model';
import NIST_SCHEMA from '../schemas/nist.schema.json';
import { schemaIssues, semantic } from '../validation';
import { FormatOptions, PolicyExportError, typedSubject } from './format-options';

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const validateShape = ajv.compile(NIST_SCHEMA);

const NIST_RESOURCE_TYPES = [
  'api',
  'database',
  'storage',
  'application',
  'network-segment',
  'kubernetes-namespace',
];

// Seed 001 subject types and ours; roles have no NIST type.
const KIND_OF: Record<string, SubjectKind> = {
  user: 'user',
  group: 'group',
  'service-account': 'service',
  workload: 'workload',
  device: 'device',
};
const TYPE_OF: Partial<Record<SubjectKind, string>> = {
  user: 'user',
  group: 'group',
  service: 'service-account',
  workload: 'workload',
  device: 'device',
};

interface NistConditions {
  devicePosture?: DeviceChecks;
  network?: { allowedIpRanges?: string[]; requireVpn?: boolean };
  time?: { allowedHours?: string };
  riskScore?: { maxScore?: number };
  authenticationStrength?: AuthenticationStrength;
  /** Extensions (the schema allows extra members): what seed 001 cannot say otherwise. */
  geo?: string[];
  mfa?: boolean;
  expression?: string;
  attributes?: Record<string, string | number | boolean | string[]>;
  devicePostureStates?: string[];
}

function conditionsOf(c: NistConditions, issues: ValidationIssue[]): Condition[] {
  const out: Condition[] = [];
  if (c.devicePosture && Object.keys(c.devicePosture).length > 0)
    out.push({ kind: 'device_checks', checks: c.devicePosture });
  if (c.devicePostureStates) out.push({ kind: 'device_posture', postures: c.devicePostureStates });
  if (c.network && (c.network.allowedIpRanges || c.network.requireVpn !== undefined)) {
    c.network.allowedIpRanges?.forEach((r, i) =>
      issues.push(...semantic.cidr(r, `/conditions/network/allowedIpRanges/${i}`)),
    );
    out.push({
      kind: 'network',
      ...(c.network.allowedIpRanges ? { cidrs: c.network.allowedIpRanges } : {}),
      ...(c.network.requireVpn !== undefined ? { requireVpn: c.network.requireVpn } : {}),
    });
  }
  if (c.time?.allowedHours !== undefined) {
    issues.push(...semantic.timeWindow(c.time.allowedHours, '/conditions/time/allowedHours'));
    out.push({ kind: 'time_window', window: c.time.allowedHours });
  }
  if (c.riskScore?.maxScore !== undefined) out.push({ kind: 'risk_max', max: c.riskScore.maxScore });
  if (c.authenticationStrength)
    out.push({ kind: 'authentication_strength', minimum: c.authenticationStrength });
  if (c.geo) {
    c.geo.forEach((g, i) => issues.push(...semantic.country(g, `/conditions/geo/${i}`)));
    out.push({ kind: 'location', countries: c.geo });
  }
  if (c.mfa !== undefined) out.push({ kind: 'mfa', required: c.mfa });
  if (c.expression !== undefined) {
    issues.push(...semantic.expression(c.expression, '/conditions/expression'));
    out.push({ kind: 'expression', source: c.expression });
  }
  for (const [name, value] of Object.entries(c.attributes ?? {}))
    out.push({ kind: 'attribute', name, value });
  return out;
}

/** Validates (seed 001's JSON Schema, draft 2020-12) and converts a NIST SP 800-207 policy. */
export function parseNistPolicy(input: Record<string, unknown>, options: FormatOptions): ParseResult {
  if (!validateShape(input)) return { ok: false, errors: schemaIssues(validateShape.errors) };
  const doc = input as {
    policyId: string;
    name: string;
    description?: string;
    version?: string;
    effect: 'allow' | 'deny';
    subjects: { type: string; id: string; attributes?: Record<string, unknown> }[];
    resources: { type: string; id: string; actions?: string[] }[];
    conditions?: NistConditions;
    enforcementMode?: CanonicalPolicy['enforcementMode'];
    created?: string;
    modified?: string;
    owner?: string;
  };
  const issues: ValidationIssue[] = [];
  doc.resources.forEach((r, i) => issues.push(...semantic.glob(r.id, `/resources/${i}/id`)));
  const conditions = conditionsOf(doc.conditions ?? {}, issues);
  if (issues.length > 0) return { ok: false, errors: issues };
  const subjects: SubjectMatcher[] = doc.subjects.map((s) => ({
    kind: KIND_OF[s.type],
    value: s.id,
    ...(s.attributes ? { attributes: s.attributes } : {}),
  }));
  const resources: ResourceMatcher[] = doc.resources.map((r) => ({
    pattern: r.id,
    type: r.type,
    ...(r.actions ? { actions: r.actions } : {}),
  }));
  // A resource without its own actions allows every action on it.
  const actions = resources.every((r) => r.actions)
    ? [...new Set(resources.flatMap((r) => r.actions ?? []))]
    : ['*'];
  const policy: CanonicalPolicy = {
    id: doc.policyId,
    version: options.version ?? 1,
    name: doc.name,
    ...(doc.description !== undefined ? { description: doc.description } : {}),
    effect: doc.effect,
    enforcementMode: doc.enforcementMode ?? 'enforce',
    subjects,
    resources,
    actions: actions.length > 0 ? actions : ['*'],
    conditions,
    ...(doc.owner !== undefined ? { owner: doc.owner } : {}),
    ...(doc.version !== undefined ? { semanticVersion: doc.version } : {}),
    ...(doc.created !== undefined ? { created: doc.created } : {}),
    ...(doc.modified !== undefined ? { modified: doc.modified } : {}),
    sourceFormat: 'nist',
  };
  return { ok: true, policy, format: 'nist' };
}

function nistConditions(conditions: Condition[]): NistConditions {
  const c: NistConditions = {};
  for (const condition of conditions) {
    switch (condition.kind) {
      case 'device_checks':
        c.devicePosture = condition.checks;
        break;
      case 'device_posture':
        c.devicePostureStates = condition.postures;
        break;
      case 'network':
        c.network = {
          ...(c.network ?? {}),
          ...(condition.cidrs ? { allowedIpRanges: condition.cidrs } : {}),
          ...(condition.requireVpn !== undefined ? { requireVpn: condition.requireVpn } : {}),
        };
        break;
      case 'time_window':
        c.time = { allowedHours: condition.window };
        break;
      case 'risk_max':
        c.riskScore = { maxScore: condition.max };
        break;
      case 'authentication_strength':
        c.authenticationStrength = condition.minimum;
        break;
      case 'location':
        c.geo = condition.countries;
        break;
      case 'mfa':
        c.mfa = condition.required;
        break;
      case 'expression':
        c.expression = condition.source;
        break;
      case 'attribute':
        c.attributes = { ...(c.attributes ?? {}), [condition.name]: condition.value };
        break;
    }
  }
  return c;
}

/** Writes a canonical policy in seed 001's shape; effects and subjects it has no word for are refused. */
export function exportNistPolicy(policy: CanonicalPolicy): Record<string, unknown> {
  if (policy.effect !== 'allow' && policy.effect !== 'deny') {
    throw new PolicyExportError(`the NIST shape has no effect ${policy.effect}`);
  }
  const subjects = policy.subjects.map((s) => {
    const { type, matcher } = typedSubject(s, TYPE_OF, 'NIST');
    return { type, id: matcher.value, ...(matcher.attributes ? { attributes: matcher.attributes } : {}) };
  });
  const policyActions = policy.actions.includes('*') ? undefined : policy.actions;
  const conditions = nistConditions(policy.conditions);
  return {
    policyId: policy.id,
    name: policy.name,
    ...(policy.description !== undefined ? { description: policy.description } : {}),
    ...(policy.semanticVersion !== undefined ? { version: policy.semanticVersion } : {}),
    effect: policy.effect,
    subjects,
    resources: policy.resources.map((r) => {
      const actions = r.actions ?? policyActions;
      const type = r.type !== undefined && NIST_RESOURCE_TYPES.includes(r.type) ? r.type : 'application';
      return { type, id: r.pattern, ...(actions ? { actions } : {}) };
    }),
    ...(Object.keys(conditions).length > 0 ? { conditions } : {}),
    ...(policy.enforcementMode === 'enforce' ? {} : { enforcementMode: policy.enforcementMode }),
    ...(policy.created !== undefined ? { created: policy.created } : {}),
    ...(policy.modified !== undefined ? { modified: policy.modified } : {}),
    ...(policy.owner !== undefined ? { owner: policy.owner } : {}),
  };
}
