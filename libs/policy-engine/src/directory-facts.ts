import type { DecisionRequest } from './model';

/** What a principal directory knows of a subject (`DirectoryPrincipal` of @zt/contracts is one). */
export interface KnownSubject {
  type: string;
  roles: readonly string[];
  groups: readonly string[];
  attributes: Record<string, unknown>;
}

/**
 * Adds what the principal directory knows about the subject. The directory is authoritative for
 * what it holds: its type and attributes win over the request's (a request can only add an
 * attribute the directory lacks), and its roles and groups join the request's (a request cannot
 * take a membership away). The decision service joins its directory this way, and `ztctl policy
 * test` a repository's principals.
 */
export function withDirectoryFacts(
  request: DecisionRequest,
  directory: ReadonlyMap<string, KnownSubject>,
): DecisionRequest {
  const known = directory.get(request.subject.id);
  if (!known) return request;
  const { subject } = request;
  return {
    ...request,
    subject: {
      ...subject,
      type: known.type,
      roles: [...new Set([...(subject.roles ?? []), ...known.roles])],
      groups: [...new Set([...(subject.groups ?? []), ...known.groups])],
      attributes: { ...(subject.attributes ?? {}), ...known.attributes },
    },
  };
}
