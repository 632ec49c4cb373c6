import type { Server } from 'node:net';

/**
 * Base URL of this process for documents that name it (OpenAPI `servers`, metadata):
 * PUBLIC_BASE_URL, else `http://HOST:PORT` with the port it really listens on (PORT may be 0).
 * Never the request's Host header: a caller could make the document, and every cache that keeps
 * it, point clients at its own server.
 */
export function publicBaseUrl(
  config: { PUBLIC_BASE_URL?: string | undefined; HOST: string; PORT: number },
  listeningPort: number | undefined,
): string {
  if (config.PUBLIC_BASE_URL) return config.PUBLIC_BASE_URL.replace(/\/+$/, '');
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  return `http://${host}:${listeningPort ?? config.PORT}`;
}

/** The port a server really listens on (PORT may be 0: any free port); undefined before it listens. */
export function listeningPortOf(server: Pick<Server, 'address'> | undefined): number | undefined {
  const address = server?.address();
  return typeof address === 'object' && address ? address.port : undefined;
}
