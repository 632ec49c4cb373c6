import { connect } from 'node:net';

/** A request exactly as it goes on the wire: no encoding, validation or normalization of ours. */
export interface RawRequest {
  method: string;
  /** The request target as sent: already percent-encoded (or deliberately not). */
  target: string;
  /** Header lines as sent; a value may hold any byte a hostile client could send. */
  headers: [string, string][];
  body?: Uint8Array;
}

/** What came back, or why nothing usable did. */
export interface RawResponse {
  status: number;
  headers: Map<string, string>;
  body: Buffer;
}

/**
 * Sends one HTTP/1.1 request over a fresh connection and reads the answer. A raw socket rather
 * than fetch or undici, because both refuse to send NUL, control characters or invalid UTF-8 in
 * the target or the headers, which is exactly what a hostile caller sends. Rejects after
 * `timeoutMs` (a hang detector, not a performance bound).
 */
export function sendRaw(baseUrl: string, request: RawRequest, timeoutMs: number): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  const lines = [`${request.method} ${request.target} HTTP/1.1`, `host: ${hostname}:${port}`];
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  if (request.body) lines.push(`content-length: ${request.body.length}`);
  lines.push('connection: close', '', '');
  const head = Buffer.from(lines.join('\r\n'), 'latin1');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), hostname);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => {
      // A reset after the answer's head arrived is the case dechunk describes; 'close' follows.
      if (Buffer.concat(chunks).includes('\r\n\r\n')) return;
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      try {
        resolve(parseResponse(Buffer.concat(chunks)));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    socket.write(request.body ? Buffer.concat([head, request.body]) : head);
  });
}

/** Parses a complete HTTP/1.1 answer (the server closed the connection after it). */
function parseResponse(raw: Buffer): RawResponse {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`connection closed without a complete answer (${raw.length} bytes)`);
  const [statusLine, ...headerLines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (!Number.isInteger(status)) throw new Error(`not an HTTP status line: ${statusLine}`);
  const headers = new Map<string, string>();
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const rest = raw.subarray(end + 4);
  const body = headers.get('transfer-encoding')?.includes('chunked') ? dechunk(rest) : rest;
  return { status, headers, body };
}

/**
 * Decodes a chunked body, keeping what arrived when it is cut short: a server that answers a
 * streamed GET without reading a large request body closes the connection with unread data,
 * and the reset that follows can drop the answer's tail on the way (TCP, not the product).
 */
function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) return Buffer.concat(parts);
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isInteger(size)) throw new Error('bad chunk size');
    if (size === 0) return Buffer.concat(parts);
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}
