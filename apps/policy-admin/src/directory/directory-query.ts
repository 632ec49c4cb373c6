import { pointerSegment, unsafeTextProblem } from '@zt/contracts';
import { FieldError, validationProblem } from '@zt/http';
import { PageRequest, pageRequestOf } from '../paging/page';

/** `name:value`: the member `name` of a JSON object equals `value`, compared as text. */
export interface EqualityFilter {
  name: string;
  value: string;
}

/** Filters and page of `GET /principals`. */
export interface PrincipalListFilter extends PageRequest {
  type?: string;
  role?: string;
  group?: string;
  attributes: EqualityFilter[];
}

/** Filters and page of `GET /resources`; the cursor's key is `type/id`. */
export interface ResourceListFilter {
  limit: number;
  after?: { type: string; id: string };
  type?: string;
  properties: EqualityFilter[];
}

export const PRINCIPAL_TYPES = ['user', 'service', 'workload', 'device'] as const;
const MAX_VALUE = 512;
const MAX_NAME = 128;
const MAX_EQUALITY_FILTERS = 10;

type Query = Record<string, unknown>;

function rejectUnknown(query: Query, known: readonly string[], errors: FieldError[]): void {
  for (const name of Object.keys(query)) {
    if (!known.includes(name)) {
      errors.push({ pointer: `/${pointerSegment(name)}`, detail: 'is not a parameter of this list' });
    }
  }
}

/** A parameter given at most once, bounded, as text PostgreSQL can hold. */
function single(query: Query, name: string, errors: FieldError[]): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    errors.push({ pointer: `/${name}`, detail: 'must be given once' });
    return undefined;
  }
  const problem =
    value.length === 0 || value.length > MAX_VALUE
      ? `must be 1 to ${MAX_VALUE} characters`
      : unsafeTextProblem(value);
  if (problem) {
    errors.push({ pointer: `/${name}`, detail: problem });
    return undefined;
  }
  return value;
}

/** A repeatable `name:value` parameter; the name ends at the first colon. */
function equalities(query: Query, name: string, errors: FieldError[]): EqualityFilter[] {
  const raw = query[name];
  if (raw === undefined) return [];
  const values = Array.isArray(raw) ? (raw as unknown[]) : [raw];
  if (values.length > MAX_EQUALITY_FILTERS) {
    errors.push({ pointer: `/${name}`, detail: `may be given at most ${MAX_EQUALITY_FILTERS} times` });
    return [];
  }
  const filters: EqualityFilter[] = [];
  for (const value of values) {
    const colon = typeof value === 'string' ? value.indexOf(':') : -1;
    const text = String(value);
    if (colon < 1 || colon > MAX_NAME || text.length > MAX_NAME + 1 + MAX_VALUE || unsafeTextProblem(text)) {
      errors.push({
        pointer: `/${name}`,
        detail: `must be name:value (a name of 1 to ${MAX_NAME} characters, a value of at most ${MAX_VALUE})`,
      });
      continue;
    }
    filters.push({ name: text.slice(0, colon), value: text.slice(colon + 1) });
  }
  return filters;
}

function fail(errors: FieldError[]): void {
  if (errors.length > 0) throw validationProblem(errors, 'Invalid query parameters.');
}

/** Checks the principal list's query parameters, with a pointer per bad one. */
export function principalListFilterOf(query: Query): PrincipalListFilter {
  const errors: FieldError[] = [];
  rejectUnknown(query, ['type', 'role', 'group', 'attribute', 'limit', 'cursor'], errors);
  const page = pageRequestOf(query, errors);
  const type = single(query, 'type', errors);
  if (type !== undefined && !(PRINCIPAL_TYPES as readonly string[]).includes(type)) {
    errors.push({ pointer: '/type', detail: `must be one of ${PRINCIPAL_TYPES.join(', ')}` });
  }
  const filter: PrincipalListFilter = {
    ...page,
    type,
    role: single(query, 'role', errors),
    group: single(query, 'group', errors),
    attributes: equalities(query, 'attribute', errors),
  };
  fail(errors);
  return filter;
}

/** Checks the resource list's query parameters, with a pointer per bad one. */
export function resourceListFilterOf(query: Query): ResourceListFilter {
  const errors: FieldError[] = [];
  rejectUnknown(query, ['type', 'property', 'limit', 'cursor'], errors);
  const page = pageRequestOf(query, errors);
  // The key is `type/id` and a type holds no slash: the first slash ends the type.
  const slash = page.after?.indexOf('/') ?? -1;
  if (page.after !== undefined && (slash < 1 || slash === page.after.length - 1)) {
    errors.push({ pointer: '/cursor', detail: 'must be a cursor returned by a previous page' });
  }
  const filter: ResourceListFilter = {
    limit: page.limit,
    ...(page.after !== undefined && slash > 0
      ? { after: { type: page.after.slice(0, slash), id: page.after.slice(slash + 1) } }
      : {}),
    type: single(query, 'type', errors),
    properties: equalities(query, 'property', errors),
  };
  fail(errors);
  return filter;
}
