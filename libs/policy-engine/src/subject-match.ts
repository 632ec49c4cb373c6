import type { SubjectInput, SubjectKind, SubjectMatcher } from './model';

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

/** Whether the subject is the named principal, or a member of the named group or role. */
export function namedSubjectMatches(
  kind: SubjectMatcher['kind'],
  value: string,
  subject: SubjectInput,
): boolean {
  switch (kind) {
    case 'any':
      return true;
    case 'group':
      return subject.groups?.includes(value) ?? false;
    case 'role':
      return subject.roles?.includes(value) ?? false;
    case 'user':
    case 'service':
    case 'workload':
    case 'device':
      return (
        subject.id === value &&
        (subject.type === undefined || SUBJECT_TYPES[kind satisfies SubjectKind].includes(subject.type))
      );
  }
}

/** Whether a subject matcher covers the request's subject (id, memberships, IdP, attributes). */
export function subjectMatches(matcher: SubjectMatcher, subject: SubjectInput): boolean {
  if (matcher.kind === 'any') return true;
  return (
    namedSubjectMatches(matcher.kind, matcher.value, subject) &&
    (matcher.identityProvider === undefined ||
      subject.attributes?.identity_provider === matcher.identityProvider) &&
    attributesMatch(matcher.attributes, subject.attributes)
  );
}
