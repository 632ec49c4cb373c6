import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
// The decision service's own check of ROUTES_FILE: the repository is held to exactly it.
import { RouteFile, routeFileErrors } from '../../decision/src/http-check/route-table';
import { issueAt, readDocument, RepoIssue } from './repo-files';

/** Where a repository keeps its route table, if it has one (one of these, at its root). */
export const ROUTE_FILES = ['routes.yaml', 'routes.yml', 'routes.json'] as const;

/** The repository's route table, as the decision service reads it from ROUTES_FILE. */
export interface RepoRoutes {
  file: string;
  table: RouteFile;
}

/**
 * Reads and checks the route table of a repository, if it has one. Routes are not stored by
 * policy-admin: they are the decision service's ROUTES_FILE, deployed with its configuration
 * (`ztctl policy routes DIR --out routes.json` writes that file). Checked here with the decision
 * service's own rules, so a table that passes `validate` is one a replica starts with.
 */
export function readRoutes(dir: string, issues: RepoIssue[]): RepoRoutes | undefined {
  const present = ROUTE_FILES.filter(
    (name) => existsSync(join(dir, name)) && statSync(join(dir, name)).isFile(),
  );
  if (present.length === 0) return undefined;
  if (present.length > 1) {
    issues.push({
      file: present[1],
      pointer: '',
      message: `a repository has one route table; ${present[0]} is one too`,
    });
    return undefined;
  }
  const doc = readDocument(dir, present[0], issues);
  if (!doc) return undefined;
  const errors = routeFileErrors(doc.data);
  if (errors.length > 0) {
    for (const e of errors) issues.push(issueAt(doc, e.pointer, e.detail));
    return undefined;
  }
  return { file: doc.file, table: doc.data as RouteFile };
}
