import type { FastifyInstance } from 'fastify';

/**
 * Makes `application/json` (any parameters, such as `charset`) the only body type the routes
 * read; any other type, or a body without a type, is refused with 415 UNSUPPORTED_MEDIA_TYPE.
 * Fastify also reads text/plain by default, and Nest's adapter adds form-urlencoded unless the
 * app is created with `bodyParser: false`: both would hand a service something that is not JSON.
 */
export function acceptOnlyJsonBodies(fastify: FastifyInstance): void {
  // Fastify's own JSON parser, refusing __proto__ and constructor.prototype members.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, parseJson);
}
