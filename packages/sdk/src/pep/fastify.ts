// A Fastify preHandler hook on the shared enforcement point:
//   app.delete('/todos/:id', { preHandler: authorizeHook(pep, { action: 'delete', resource: (req) => ({ type: 'todo', id: req.params.id }) }) }, handler)
import type { IncomingHttpHeaders } from 'node:http';
import type { AuthorizeRule, Enforcer, ZtRequestContext } from './enforcement-point.js';

/** What the hook reads of a Fastify request. */
export interface FastifyLikeRequest {
  headers: IncomingHttpHeaders;
  params?: unknown;
  zt?: ZtRequestContext;
}

/** What the hook uses of a Fastify reply. */
export interface FastifyLikeReply {
  code(status: number): FastifyLikeReply;
  header(name: string, value: string): FastifyLikeReply;
  send(payload?: unknown): FastifyLikeReply;
}

/** A preHandler hook enforcing `rule`; sets `request.zt`, or answers the refusal. */
export function authorizeHook<R extends FastifyLikeRequest>(
  pep: Enforcer<NoInfer<R>>,
  rule: AuthorizeRule<R>,
): (request: R, reply: FastifyLikeReply) => Promise<void> {
  return async (request, reply) => {
    const outcome = await pep.enforce(rule, request, request.headers);
    request.zt = outcome.zt;
    if (outcome.allowed) return;
    const { status, headers, body } = outcome.refusal;
    reply.code(status);
    for (const [name, value] of Object.entries(headers)) reply.header(name, value);
    // Sent as text: Fastify would otherwise pick its own serializer for problem+json.
    reply.send(JSON.stringify(body));
  };
}
