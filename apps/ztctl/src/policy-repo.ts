import {
  DirectoryPrincipal,
  DirectoryResource,
  PRINCIPAL_ID_SCHEMA,
  principalBodyErrors,
  RESOURCE_ID_SCHEMA,
  RESOURCE_TYPE_SCHEMA,
  resourceBodyErrors,
} from '@zt/contracts';
import type { FieldError } from '@zt/http';
import {
  boundsIssues,
  CanonicalPolicy,
  detectFormat,
  exportPolicy,
  parsePolicy,
  PolicyFormat,
} from '@zt/policy-engine';
import {
  DocumentFile,
  documentFiles,
  entriesOf,
  hasFolder,
  issueAt,
  readDocument,
  RepoIssue,
} from './repo-files';
import { readTestFile, TestFile } from './policy-test-file';
import { readRoutes, RepoRoutes } from './repo-routes';

/**
 * The layout of a policy repository (docs/policy-as-code.md):
 * - `policies/`: one policy per file, YAML or JSON, in any of the three shapes (zt, nist, ztna);
 * - `principals/`: principals `{id, type, roles, groups, attributes}`, one per file or a list;
 * - `resources/`: resources `{type, id, properties}`, one per file or a list;
 * - `tests/`: test files, each a list of cases (policy-test-file.ts);
 * - `routes.yaml` (or `.yml`, `.json`) at the root, optional: the decision service's route table
 *   (repo-routes.ts), checked here and deployed as its ROUTES_FILE.
 * Sub-folders are read too. A kind whose folder is absent is not managed: plan leaves the
 * server's principals alone when the repository has no `principals/`.
 */
export const FOLDERS = {
  policies: 'policies',
  principals: 'principals',
  resources: 'resources',
  tests: 'tests',
} as const;

/** A policy of the repository: as written, as the engine reads it, and as the server would store it. */
export interface RepoPolicy {
  id: string;
  format: PolicyFormat;
  policy: CanonicalPolicy;
  /** The document the server stores for it: the parsed policy exported back in its own shape. */
  stored: Record<string, unknown>;
  file: string;
}

export interface RepoPrincipal {
  principal: DirectoryPrincipal;
  file: string;
}

export interface RepoResource {
  resource: DirectoryResource;
  file: string;
}

/** A policy repository as read from disk, with every problem found. */
export interface PolicyRepository {
  dir: string;
  policies: RepoPolicy[];
  /** Absent when the repository has no principals folder. */
  principals?: RepoPrincipal[];
  /** Absent when the repository has no resources folder. */
  resources?: RepoResource[];
  /** Absent when the repository has no route table. */
  routes?: RepoRoutes;
  tests: TestFile[];
  issues: RepoIssue[];
}

/** Where each shape keeps a policy's id. */
const ID_MEMBER: Record<PolicyFormat, string> = { zt: 'id', nist: 'policyId', ztna: 'id' };

// The name rules of PUT /principals/{id} and PUT /resources/{type}/{id}, from @zt/contracts.
const PRINCIPAL_ID = new RegExp(PRINCIPAL_ID_SCHEMA.pattern);
const RESOURCE_TYPE = new RegExp(RESOURCE_TYPE_SCHEMA.pattern);
const RESOURCE_ID = new RegExp(RESOURCE_ID_SCHEMA.pattern);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readPolicy(doc: DocumentFile, issues: RepoIssue[]): RepoPolicy | undefined {
  if (!isObject(doc.data)) {
    issues.push(issueAt(doc, '', 'must be one policy document (an object)'));
    return undefined;
  }
  const parsed = parsePolicy(doc.data);
  if (!parsed.ok) {
    for (const e of parsed.errors) issues.push(issueAt(doc, e.pointer, e.message));
    return undefined;
  }
  // The server makes up an id for a document without one; a repository must name it to manage it.
  const member = ID_MEMBER[detectFormat(doc.data)];
  if (typeof doc.data[member] !== 'string') {
    issues.push(issueAt(doc, `/${member}`, 'must be set: a repository names each of its policies'));
    return undefined;
  }
  return {
    id: parsed.policy.id,
    format: parsed.format,
    policy: parsed.policy,
    stored: exportPolicy(parsed.policy, parsed.format),
    file: doc.file,
  };
}

function fieldIssues(doc: DocumentFile, base: string, errors: FieldError[]): RepoIssue[] {
  return errors.map((e) => issueAt(doc, `${base}${e.pointer}`, e.detail));
}

function readPrincipals(doc: DocumentFile, issues: RepoIssue[]): RepoPrincipal[] {
  const found: RepoPrincipal[] = [];
  for (const { value, base } of entriesOf(doc)) {
    if (!isObject(value)) {
      issues.push(issueAt(doc, base, 'must be a principal (an object)'));
      continue;
    }
    const { id, ...body } = value;
    const errors: FieldError[] = [];
    if (typeof id !== 'string' || !PRINCIPAL_ID.test(id))
      errors.push({ pointer: '/id', detail: 'must be 1 to 256 characters without whitespace' });
    errors.push(...principalBodyErrors(body));
    const attributes = isObject(body.attributes) ? body.attributes : {};
    errors.push(
      ...boundsIssues(attributes, '/attributes').map((i) => ({ pointer: i.pointer, detail: i.message })),
    );
    if (errors.length > 0) {
      issues.push(...fieldIssues(doc, base, errors));
      continue;
    }
    const input = body as Partial<DirectoryPrincipal>;
    found.push({
      principal: {
        id: id as string,
        type: input.type ?? 'user',
        roles: input.roles ?? [],
        groups: input.groups ?? [],
        attributes: input.attributes ?? {},
      },
      file: doc.file,
    });
  }
  return found;
}

function readResources(doc: DocumentFile, issues: RepoIssue[]): RepoResource[] {
  const found: RepoResource[] = [];
  for (const { value, base } of entriesOf(doc)) {
    if (!isObject(value)) {
      issues.push(issueAt(doc, base, 'must be a resource (an object)'));
      continue;
    }
    const { type, id, ...body } = value;
    const errors: FieldError[] = [];
    for (const [pointer, name, max, rule] of [
      ['/type', type, 128, RESOURCE_TYPE],
      ['/id', id, 256, RESOURCE_ID],
    ] as const) {
      if (typeof name !== 'string' || !rule.test(name))
        errors.push({ pointer, detail: `must be 1 to ${max} characters without spaces or slashes` });
    }
    errors.push(...resourceBodyErrors(body));
    const properties = isObject(body.properties) ? body.properties : {};
    if (errors.length === 0) {
      errors.push(
        ...boundsIssues(properties, '/properties').map((i) => ({ pointer: i.pointer, detail: i.message })),
      );
    }
    if (errors.length > 0) {
      issues.push(...fieldIssues(doc, base, errors));
      continue;
    }
    found.push({ resource: { type: type as string, id: id as string, properties }, file: doc.file });
  }
  return found;
}

/** Issues for ids that two files (or two entries) both claim. */
function duplicates<T>(
  items: T[],
  key: (item: T) => string,
  file: (item: T) => string,
  what: string,
): RepoIssue[] {
  const seen = new Map<string, string>();
  const issues: RepoIssue[] = [];
  for (const item of items) {
    const k = key(item);
    const first = seen.get(k);
    if (first !== undefined)
      issues.push({ file: file(item), pointer: '', message: `${what} ${k} is also defined in ${first}` });
    else seen.set(k, file(item));
  }
  return issues;
}

function readAll<T>(dir: string, folder: string, issues: RepoIssue[], read: (doc: DocumentFile) => T[]): T[] {
  return documentFiles(dir, folder).flatMap((file) => {
    const doc = readDocument(dir, file, issues);
    return doc ? read(doc) : [];
  });
}

/**
 * Reads and validates a repository the way the server validates each write: the policy engine's
 * parser for policies, policy-admin's body schemas for principals and resources, and the decision
 * request schema for test cases.
 */
export function loadRepository(dir: string): PolicyRepository {
  const issues: RepoIssue[] = [];
  if (!hasFolder(dir, '.')) {
    issues.push({ file: dir, pointer: '', message: 'is not a folder' });
    return { dir, policies: [], tests: [], issues };
  }
  const policies = readAll(dir, FOLDERS.policies, issues, (doc) => {
    const policy = readPolicy(doc, issues);
    return policy ? [policy] : [];
  });
  issues.push(
    ...duplicates(
      policies,
      (p) => p.id,
      (p) => p.file,
      'policy',
    ),
  );
  const repository: PolicyRepository = { dir, policies, tests: [], issues };
  if (hasFolder(dir, FOLDERS.principals)) {
    repository.principals = readAll(dir, FOLDERS.principals, issues, (doc) => readPrincipals(doc, issues));
    issues.push(
      ...duplicates(
        repository.principals,
        (p) => p.principal.id,
        (p) => p.file,
        'principal',
      ),
    );
  }
  if (hasFolder(dir, FOLDERS.resources)) {
    repository.resources = readAll(dir, FOLDERS.resources, issues, (doc) => readResources(doc, issues));
    issues.push(
      ...duplicates(
        repository.resources,
        (r) => `${r.resource.type}/${r.resource.id}`,
        (r) => r.file,
        'resource',
      ),
    );
  }
  const routes = readRoutes(dir, issues);
  if (routes) repository.routes = routes;
  repository.tests = readAll(dir, FOLDERS.tests, issues, (doc) => {
    const file = readTestFile(doc, issues);
    return file ? [file] : [];
  });
  return repository;
}
