import type { ErrorObject } from 'ajv';
import { ISO_3166_ALPHA2 } from './countries';
import { expressionProblem } from './expression';
import { globWildcards, MAX_GLOB_WILDCARDS } from './glob';
import type { ValidationIssue } from './model';
import { parseCidr } from './network';
import { parseTimeWindow } from './time-window';

/** Bounds on every policy document, whatever its shape: the PDP holds up to 100k of them. */
export const DOCUMENT_LIMITS = { depth: 8, arrayItems: 100, objectMembers: 100, stringLength: 4096 };

/** RFC 6901 escaping of one pointer segment. */
export function pointerSegment(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Issues for a document that is too deep, too long or too wide; checked before anything else. */
export function boundsIssues(value: unknown, pointer = '', depth = 0): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  walkBounds(value, pointer, [], depth, issues);
  return issues;
}

/**
 * Depth first, in document order. Every policy of a snapshot or a replayed topic passes here
 * (100,000 at a replica's start), so the pointer of a member is only written when it has an issue.
 */
function walkBounds(
  value: unknown,
  base: string,
  path: (string | number)[],
  depth: number,
  issues: ValidationIssue[],
): void {
  const issue = (message: string) =>
    issues.push({ pointer: base + path.map((s) => `/${pointerSegment(s)}`).join(''), message });
  if (depth > DOCUMENT_LIMITS.depth) {
    issue(`nests deeper than ${DOCUMENT_LIMITS.depth} levels`);
    return;
  }
  if (typeof value === 'string') {
    if (value.length > DOCUMENT_LIMITS.stringLength) {
      issue(`is longer than ${DOCUMENT_LIMITS.stringLength} characters`);
    }
    return;
  }
  if (Array.isArray(value)) {
    if (value.length > DOCUMENT_LIMITS.arrayItems) {
      issue(`has more than ${DOCUMENT_LIMITS.arrayItems} items`);
      return;
    }
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      walkBounds(value[i], base, path, depth + 1, issues);
      path.pop();
    }
    return;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length > DOCUMENT_LIMITS.objectMembers) {
      issue(`has more than ${DOCUMENT_LIMITS.objectMembers} members`);
      return;
    }
    for (const [key, member] of entries) {
      path.push(key);
      walkBounds(member, base, path, depth + 1, issues);
      path.pop();
    }
  }
}

/** The JSON pointer of an ajv error, pointing at the missing or unexpected member itself. */
export function pointerOf(error: ErrorObject): string {
  if (error.keyword === 'required') {
    return `${error.instancePath}/${pointerSegment(String(error.params.missingProperty))}`;
  }
  if (error.keyword === 'additionalProperties') {
    return `${error.instancePath}/${pointerSegment(String(error.params.additionalProperty))}`;
  }
  return error.instancePath;
}

/** ajv errors as issues, one per pointer (anyOf reports every branch; one message is enough). */
export function schemaIssues(errors: ErrorObject[] | null | undefined): ValidationIssue[] {
  const seen = new Set<string>();
  const out: ValidationIssue[] = [];
  for (const e of errors ?? []) {
    const pointer = pointerOf(e);
    if (seen.has(pointer)) continue;
    seen.add(pointer);
    const allowed = e.keyword === 'enum' ? `: ${(e.params.allowedValues as unknown[]).join(', ')}` : '';
    out.push({ pointer, message: `${e.message ?? e.keyword}${allowed}`, keyword: e.keyword });
  }
  return out;
}

/** Semantic checks the JSON Schemas cannot express; each returns issues at the given pointer. */
export const semantic = {
  cidr(text: unknown, pointer: string): ValidationIssue[] {
    return typeof text === 'string' && parseCidr(text)
      ? []
      : [{ pointer, message: 'must be a CIDR range such as 10.0.0.0/8 or 2001:db8::/32' }];
  },
  timeWindow(text: unknown, pointer: string): ValidationIssue[] {
    if (typeof text !== 'string') return [{ pointer, message: 'must be a time window' }];
    const parsed = parseTimeWindow(text);
    return typeof parsed === 'string' ? [{ pointer, message: parsed }] : [];
  },
  country(code: unknown, pointer: string): ValidationIssue[] {
    return typeof code === 'string' && ISO_3166_ALPHA2.has(code)
      ? []
      : [{ pointer, message: 'must be an ISO 3166-1 alpha-2 country code such as US or DE' }];
  },
  glob(pattern: unknown, pointer: string): ValidationIssue[] {
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused.
    if (typeof pattern !== 'string' || pattern.length === 0 || /[\u0000-\u001f]/.test(pattern)) {
      return [{ pointer, message: 'must be a non-empty resource pattern without control characters' }];
    }
    // Matching stays linear in the id whatever the count; the bound keeps each check short.
    return globWildcards(pattern) > MAX_GLOB_WILDCARDS
      ? [{ pointer, message: `has more than ${MAX_GLOB_WILDCARDS} wildcards (* and ? together)` }]
      : [];
  },
  expression(source: unknown, pointer: string): ValidationIssue[] {
    if (typeof source !== 'string') return [{ pointer, message: 'must be a CEL expression' }];
    const problem = expressionProblem(source);
    return problem ? [{ pointer, message: problem }] : [];
  },
};
