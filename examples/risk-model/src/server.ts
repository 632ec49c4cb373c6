import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { FieldError, parseScoreRequest } from './features';
import type { RiskModel } from './risk-model';

const MAX_BODY_BYTES = 64 * 1024;

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type });
  res.end(JSON.stringify(body));
}

function problem(
  res: ServerResponse,
  status: number,
  title: string,
  detail: string,
  errors?: FieldError[],
): void {
  send(
    res,
    status,
    { type: 'about:blank', title, status, detail, ...(errors ? { errors } : {}) },
    'application/problem+json',
  );
}

/**
 * Reads a body up to the limit; null when it is larger. The excess is read and dropped rather
 * than the socket torn down, so the client still receives the 413.
 */
function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function score(model: RiskModel, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  if (body === null) {
    problem(res, 413, 'Payload Too Large', `The body is larger than ${MAX_BODY_BYTES} bytes.`);
    return;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    problem(res, 400, 'Bad Request', 'The body is not JSON.');
    return;
  }
  const result = parseScoreRequest(parsed);
  if (!result.ok) {
    problem(res, 400, 'Bad Request', 'The scoring request is invalid.', result.errors);
    return;
  }
  send(res, 200, { device_id: result.request.device_id, ...model.score(result.request.features) });
}

/**
 * The model's HTTP face: `POST /score` (the `zt.device-risk.v1` contract) and `GET /healthz`.
 * Plain node:http, so the example carries no framework a reader must know.
 */
export function createRiskModelServer(model: RiskModel): Server {
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://model').pathname;
    if (path === '/healthz' && req.method === 'GET') {
      send(res, 200, { status: 'ok', model: 'isolation-forest', version: '1', trained_on: model.trainedOn });
    } else if (path === '/score') {
      if (req.method !== 'POST') {
        problem(res, 405, 'Method Not Allowed', 'Use POST.');
        return;
      }
      score(model, req, res).catch((error: unknown) =>
        problem(res, 500, 'Internal Server Error', String(error)),
      );
    } else {
      problem(res, 404, 'Not Found', `No route ${req.method ?? ''} ${path}.`);
    }
  });
}
