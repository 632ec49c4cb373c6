import Ajv from 'ajv';
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
import ZTNA_SCHEMA from '../schemas/ztna.schema.json';
import { schemaIssues, semantic } from '../validation';
import { FormatOptions, PolicyExportError, typedSubject } from './format-options';

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validateShape = ajv.compile(ZTNA_SCHEMA);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ZTNA_RESOURCE_TYPES = ['application', 'host', 'network', 'saas', 'url'];

const KIND_OF: Record<string, SubjectKind> = {
  user: 'user',
  group: 'group',
  service_account: 'service',
  workload: 'workload',
};
const TYPE_OF: Partial<Record<SubjectKind, string>> = {
  user: 'user',
  group: 'group',
  service: 'service_account',
  workload: 'workload',
};

interface ZtnaConditions {
  device_posture?: string[];
  mfa?: boolean;
  geo?: string[];
  time_window?: string;
  risk_score_max?: number;
  /** Extensions (the schema allows extra members): what seed 002 cannot say otherwise. */
  device_checks?: DeviceChecks;
  network?: { allowed_ip_ranges?: string[]; require_vpn?: boolean };
  authentication_strength?: AuthenticationStrength;
  expression?: string;
  attributes?: Record<string, string | number | boolean | string[]>;
}

interface ZtnaDocument {
  id: string;
  name: string;
  description?: string;
  enabled?: boolean;
  decision: CanonicalPolicy['effect'];
  subjects: { type: string; id: string; identity_provider?: string }[];
  resources: { type: string; id?: string; fqdn?: string; ports?: number[] }[];
  conditions?: ZtnaConditions;
  session?: { max_duration_seconds?: number; reauth_interval_seconds?: number };
  created?: string;
  updated?: string;
  /** Extension: seed 002 knows enabled/disabled only; `audit` keeps audit mode across shapes. */
  enforcement_mode?: 'audit';
}

function conditionsOf(c: ZtnaConditions, issues: ValidationIssue[]): Condition[] {
  const out: Condition[] = [];
  if (c.device_posture) out.push({ kind: 'device_posture', postures: c.device_posture });
  if (c.device_checks) out.push({ kind: 'device_checks', checks: c.device_checks });
  if (c.mfa !== undefined) out.push({ kind: 'mfa', required: c.mfa });
  if (c.geo) {
    c.geo.forEach((g, i) => issues.push(...semantic.country(g, `/conditions/geo/${i}`)));
    out.push({ kind: 'location', countries: c.geo });
  }
  if (c.time_window !== undefined) {
    issues.push(...semantic.timeWindow(c.time_window, '/conditions/time_window'));
    out.push({ kind: 'time_window', window: c.time_window });
  }
  if (c.risk_score_max !== undefined) out.push({ kind: 'risk_max', max: c.risk_score_max });
  if (c.network) {
    c.network.allowed_ip_ranges?.forEach((r, i) =>
      issues.push(...semantic.cidr(r, `/conditions/network/allowed_ip_ranges/${i}`)),
    );
    out.push({
      kind: 'network',
      ...(c.network.allowed_ip_ranges ? { cidrs: c.network.allowed_ip_ranges } : {}),
      ...(c.network.require_vpn !== undefined ? { requireVpn: c.network.require_vpn } : {}),
    });
  }
  if (c.authentication_strength)
    out.push({ kind: 'authentication_strength', minimum: c.authentication_strength });
  if (c.expression !== undefined) {
    issues.push(...semantic.expression(c.expression, '/conditions/expression'));
    out.push({ kind: 'expression', source: c.expression });
  }
  for (const [name, value] of Object.entries(c.attributes ?? {}))
    out.push({ kind: 'attribute', name, value });
  return out;
}

/** Validates (seed 002's JSON Schema, draft-07) and converts a ZTNA access policy. */
export function parseZtnaPolicy(input: Record<string, unknown>, options: FormatOptions): ParseResult {
  if (!validateShape(input)) return { ok: false, errors: schemaIssues(validateShape.errors) };
  const doc = input as unknown as ZtnaDocument;
  const issues: ValidationIssue[] = [];
  doc.resources.forEach((r, i) => {
    if (r.id === undefined && r.fqdn === undefined)
      issues.push({ pointer: `/resources/${i}`, message: 'needs an id or an fqdn' });
    else
      issues.push(
        ...semantic.glob(r.fqdn ?? r.id, `/resources/${i}/${r.fqdn !== undefined ? 'fqdn' : 'id'}`),
      );
    r.ports?.forEach((p, j) => {
      if (p < 1 || p > 65535)
        issues.push({ pointer: `/resources/${i}/ports/${j}`, message: 'must be a port from 1 to 65535' });
    });
  });
  const conditions = conditionsOf(doc.conditions ?? {}, issues);
  if (issues.length > 0) return { ok: false, errors: issues };
  const subjects: SubjectMatcher[] = doc.subjects.map((s) => ({
    kind: KIND_OF[s.type],
    value: s.id,
    ...(s.identity_provider !== undefined ? { identityProvider: s.identity_provider } : {}),
  }));
  const resources: ResourceMatcher[] = doc.resources.map((r) => ({
    // An fqdn is what a ZTNA broker connects to, so it is what requests name.
    pattern: (r.fqdn ?? r.id) as string,
    type: r.type,
    ...(r.fqdn !== undefined ? { fqdn: r.fqdn } : {}),
    ...(r.fqdn !== undefined && r.id !== undefined ? { id: r.id } : {}),
    ...(r.ports ? { ports: r.ports } : {}),
  }));
  const session = doc.session
    ? {
        ...(doc.session.max_duration_seconds !== undefined
          ? { maxDurationSeconds: doc.session.max_duration_seconds }
          : {}),
        ...(doc.session.reauth_interval_seconds !== undefined
          ? { reauthIntervalSeconds: doc.session.reauth_interval_seconds }
          : {}),
      }
    : undefined;
  const policy: CanonicalPolicy = {
    id: doc.id,
    version: options.version ?? 1,
    name: doc.name,
    ...(doc.description !== undefined ? { description: doc.description } : {}),
    effect: doc.decision,
    enforcementMode: doc.enabled === false ? 'disabled' : (doc.enforcement_mode ?? 'enforce'),
    subjects,
    resources,
    actions: ['*'],
    conditions,
    ...(session ? { session } : {}),
    ...(doc.created !== undefined ? { created: doc.created } : {}),
    ...(doc.updated !== undefined ? { modified: doc.updated } : {}),
    sourceFormat: 'ztna',
  };
  return { ok: true, policy, format: 'ztna' };
}

function ztnaConditions(conditions: Condition[]): ZtnaConditions {
  const c: ZtnaConditions = {};
  for (const condition of conditions) {
    switch (condition.kind) {
      case 'device_posture':
        c.device_posture = condition.postures;
        break;
      case 'device_checks':
        c.device_checks = condition.checks;
        break;
      case 'mfa':
        c.mfa = condition.required;
        break;
      case 'location':
        c.geo = condition.countries;
        break;
      case 'time_window':
        c.time_window = condition.window;
        break;
      case 'risk_max':
        c.risk_score_max = condition.max;
        break;
      case 'network':
        c.network = {
          ...(c.network ?? {}),
          ...(condition.cidrs ? { allowed_ip_ranges: condition.cidrs } : {}),
          ...(condition.requireVpn !== undefined ? { require_vpn: condition.requireVpn } : {}),
        };
        break;
      case 'authentication_strength':
        c.authentication_strength = condition.minimum;
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

/** Writes a canonical policy in seed 002's shape; per-action policies and roles are refused. */
export function exportZtnaPolicy(policy: CanonicalPolicy): Record<string, unknown> {
  if (!UUID.test(policy.id)) throw new PolicyExportError(`the ZTNA shape needs a UUID id, not ${policy.id}`);
  if (!policy.actions.includes('*') || policy.resources.some((r) => r.actions)) {
    throw new PolicyExportError('the ZTNA shape has no actions; this policy is limited to some actions');
  }
  const subjects = policy.subjects.map((s) => {
    const { type, matcher } = typedSubject(s, TYPE_OF, 'ZTNA');
    return {
      type,
      id: matcher.value,
      ...(matcher.identityProvider !== undefined ? { identity_provider: matcher.identityProvider } : {}),
    };
  });
  const conditions = ztnaConditions(policy.conditions);
  const session = policy.session && {
    ...(policy.session.maxDurationSeconds !== undefined
      ? { max_duration_seconds: policy.session.maxDurationSeconds }
      : {}),
    ...(policy.session.reauthIntervalSeconds !== undefined
      ? { reauth_interval_seconds: policy.session.reauthIntervalSeconds }
      : {}),
  };
  return {
    id: policy.id,
    name: policy.name,
    ...(policy.description !== undefined ? { description: policy.description } : {}),
    enabled: policy.enforcementMode !== 'disabled',
    ...(policy.enforcementMode === 'audit' ? { enforcement_mode: 'audit' } : {}),
    decision: policy.effect,
    subjects,
    resources: policy.resources.map((r) => ({
      // Seed 001 resource types have no seed 002 equivalent; they become applications.
      type: r.type !== undefined && ZTNA_RESOURCE_TYPES.includes(r.type) ? r.type : 'application',
      ...(r.fqdn !== undefined
        ? { ...(r.id !== undefined ? { id: r.id } : {}), fqdn: r.fqdn }
        : { id: r.pattern }),
      ...(r.ports ? { ports: r.ports } : {}),
    })),
    ...(Object.keys(conditions).length > 0 ? { conditions } : {}),
    ...(session ? { session } : {}),
    ...(policy.created !== undefined ? { created: policy.created } : {}),
    ...(policy.modified !== undefined ? { updated: policy.modified } : {}),
  };
}
