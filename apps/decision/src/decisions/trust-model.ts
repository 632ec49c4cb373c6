import type { Principal } from '@zt/auth';
import { DirectoryResource, resourceKey } from '@zt/contracts';
import { ProblemError } from '@zt/http';
import type { DecisionRequest } from '@zt/policy-engine';

/**
 * Who vouches for which fact of a decision request (docs/api.md, "Trust model"):
 * - the caller's token, for the caller's own subject and session: sub, roles, groups, amr, acr,
 *   the device posture claim (a caller asking about itself cannot add or upgrade them);
 * - the principal directory, for the type, attributes, roles and groups it holds of a subject;
 * - the resource directory, for the properties it holds of a resource (they win over the request's);
 * - device intelligence, for the stored posture and risk verdict of a device (device-facts.ts);
 * - a caller with the {@link PEP_ROLE} role, for what it asserts about OTHER subjects: it is the
 *   enforcement point that saw the session. Nobody else may ask about another subject.
 */

/** The role that lets a caller ask about subjects other than itself and assert their facts. */
export const PEP_ROLE = 'pep';

/** A request as callers send it: the subject may be left to the token. */
export type DecisionBody = Omit<DecisionRequest, 'subject'> & { subject?: DecisionRequest['subject'] };

// Context members that describe how the session authenticated: only the token speaks for them
// when the caller asks about itself (`mfa` and `authentication_strength` satisfy MFA conditions
// as `amr` does, see the engine's request-facts).
const AUTHENTICATION_FACTS = new Set(['amr', 'acr', 'mfa', 'authentication_strength']);

/** Whether the request is about the caller itself: no subject, or the token's own `sub`. */
export function asksAboutItself(body: Pick<DecisionBody, 'subject'>, principal: Principal): boolean {
  return body.subject === undefined || body.subject.id === principal.sub;
}

/**
 * Refuses, with 403 problem+json `ROLE_REQUIRED`, a caller without the pep role asking about
 * another subject. `pointer` names the subject in the body (AuthZEN batches: which entry).
 * The gRPC Decide and ext_authz paths get this check through DecisionsService.decideRequest.
 */
export function assertMayAskAbout(
  body: Pick<DecisionBody, 'subject'>,
  principal: Principal,
  pointer = '/subject/id',
): void {
  if (asksAboutItself(body, principal) || principal.roles.includes(PEP_ROLE)) return;
  throw new ProblemError(
    403,
    'ROLE_REQUIRED',
    `Requires the role ${PEP_ROLE} to ask about a subject other than the caller.`,
    {
      requiredRoles: [PEP_ROLE],
      errors: [{ pointer, detail: `is not the caller (${principal.sub}); requires the role ${PEP_ROLE}` }],
    },
  );
}

/**
 * Completes a request with what the caller's token says. About another subject (only a pep caller
 * gets here, see {@link assertMayAskAbout}) the request stands as sent. About itself the token is
 * authoritative: the subject is the token's sub with its roles and groups (the request may add
 * attributes only), and the session's amr and acr are the token's; a context claiming `mfa`,
 * `authentication_strength` or other methods is overruled. The device posture claim is applied
 * with the stored device facts (see withDeviceFacts), where a request can only make it stricter.
 */
export function withTokenFacts(request: DecisionBody, principal: Principal): DecisionRequest {
  if (!asksAboutItself(request, principal)) return request as DecisionRequest;
  const context: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(request.context ?? {})) {
    if (!AUTHENTICATION_FACTS.has(name)) context[name] = value;
  }
  context.amr = principal.amr;
  if (principal.acr !== undefined) context.acr = principal.acr;
  const attributes = request.subject?.attributes;
  // Built member by member: V8 (Node 20) copies `{ ...request, subject }` slowly when the spread
  // adds a member the source lacks, and this runs on every decision.
  return {
    subject: {
      type: request.subject?.type ?? 'user',
      id: principal.sub,
      roles: principal.roles,
      groups: principal.groups,
      ...(attributes === undefined ? {} : { attributes }),
    },
    action: request.action,
    resource: request.resource,
    context,
  };
}

// Joining the principal directory is the engine library's (ztctl's tests join a repository's
// principals the same way); re-exported here beside the other facts of the trust model.
export { withDirectoryFacts } from '@zt/policy-engine';

/**
 * Adds what the resource directory knows about the resource (by type and id). The directory is
 * authoritative for what it holds, as the principal directory is for subjects: its properties
 * win over the request's, which can only add what the directory lacks.
 */
export function withResourceFacts(
  request: DecisionRequest,
  resources: ReadonlyMap<string, DirectoryResource>,
): DecisionRequest {
  const { resource } = request;
  if (resource.type === undefined) return request;
  const known = resources.get(resourceKey(resource.type, resource.id));
  if (!known) return request;
  return {
    ...request,
    resource: { ...resource, attributes: { ...(resource.attributes ?? {}), ...known.properties } },
  };
}
