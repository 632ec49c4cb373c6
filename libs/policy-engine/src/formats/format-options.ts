import type { EngineOptions, SubjectKind, SubjectMatcher } from '../model';

/** What a format's parser needs besides the document. */
export interface FormatOptions {
  /** Id for documents that carry none (seed 000 bodies). */
  defaultId?: string;
  version?: number;
  engine?: EngineOptions;
}

/** A canonical policy that a shape cannot express without losing its meaning. */
export class PolicyExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyExportError';
  }
}

/** A subject's seed-000 key: `*`, or `<kind>:<name>` such as `group:engineering`. */
export function subjectKey(subject: SubjectMatcher): string {
  return subject.kind === 'any' ? '*' : `${subject.kind}:${subject.value}`;
}

/**
 * The typed-subject form of a subject for a shape that names subject kinds (`type`), refusing
 * `*` and kinds the shape has no word for.
 */
export function typedSubject(
  subject: SubjectMatcher,
  typeOf: Partial<Record<SubjectKind, string>>,
  shape: string,
): { type: string; matcher: Exclude<SubjectMatcher, { kind: 'any' }> } {
  const type = subject.kind === 'any' ? undefined : typeOf[subject.kind];
  if (subject.kind === 'any' || type === undefined) {
    throw new PolicyExportError(`the ${shape} shape cannot name the subject ${subjectKey(subject)}`);
  }
  return { type, matcher: subject };
}
