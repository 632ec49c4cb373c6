import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AdmissionControl, overloadedProblem } from './admission';
import { correlationIdOf } from './correlation';
import { pathOf, problemBody } from './problem.filter';

/** Probes and scrapers: answered however busy the process is, and never counted. */
export const NEVER_SHED_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Refuses a request with 503 OVERLOADED problem+json and Retry-After. Rendered here, the cheapest
 * way there is (a refusal must cost far less than a decision); the shed log counts refusals.
 */
function sendOverloaded(request: FastifyRequest, reply: FastifyReply): void {
  const problem = overloadedProblem();
  for (const [name, value] of Object.entries(problem.extra.headers ?? {})) void reply.header(name, value);
  void reply
    .status(problem.status)
    .header('content-type', 'application/problem+json')
    .send(problemBody(problem, pathOf(request.url), correlationIdOf(request)));
}

/**
 * Puts `admission` in front of every route of the instance but the health endpoints: an
 * onRequest hook, so a refused request costs routing and no more (no body parsing, no
 * authentication). Install it right after the correlation id, which the refusal carries, and
 * before any route is registered. An admitted request counts as in flight until its response
 * closes, answered or abandoned by the caller, so a dropped connection never leaks a slot.
 */
export function installAdmission(fastify: FastifyInstance, admission: AdmissionControl): void {
  if (!admission.enabled) return;
  fastify.addHook('onRequest', (request, reply, done) => {
    if (NEVER_SHED_PATHS.has(pathOf(request.url))) return done();
    if (!admission.tryAdmit('http')) return sendOverloaded(request, reply);
    reply.raw.once('close', () => admission.release());
    done();
  });
}
