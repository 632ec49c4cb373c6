import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { FieldError, parseScoreRequest } from './features';
import type { RiskModel } from './risk-model';

/** Larger bodies are refused with 413: a scoring request is well under 1 KiB. */
export const MAX_BODY_BYTES = 64 * 1024;

type ProblemCode =
  'VALIDATION_FAILED' | 'PAYLOAD_TOO_LARGE' | 'NOT_FOUND' | 'METHOD_NOT_ALLOWED' | 'INTERNAL';

const PROBLEMS: Record<ProblemCode, { status: number; title: string }> = {
  VALIDATION_FAILED: { status: 400, title: 'Bad Request' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload Too Large' },
  NOT_FOUND: { status: 404, title: 'Not Found' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method Not Allowed' },
  INTERNAL: { status: 500, title: 'Internal Server Error' },
};

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/json',
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Answers an RFC 9457 problem, in the shape and with the codes the platform's own services use. */
function sendProblem(
  res: ServerResponse,
  code: ProblemCode,
  detail: string,
  extra: { errors?: FieldError[]; allow?: string } = {},
): void {
  const { status, title } = PROBLEMS[code];
  if (extra.allow) res.setHeader('allow', extra.allow);
  const type = `https://zt-policy.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`;
  const errors = extra.errors ? { errors: extra.errors } : {};
  sendJson(res, status, { type, title, status, detail, code, ...errors }, 'application/problem+json');
}

/**
 * The body, or null when it is larger than the limit. Past the limit the rest is read and dropped
 * rather than the socket torn down: a client still writing would get a reset instead of the 413.
 * Memory stays bounded; the server's requestTimeout bounds how long a client may keep sending.
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

function parseJson(body: Buffer): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) as unknown };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

async function score(model: RiskModel, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  if (body === null) {
    sendProblem(res, 'PAYLOAD_TOO_LARGE', `The body is larger than ${MAX_BODY_BYTES} bytes.`);
    return;
  }
  const json = parseJson(body);
  if (!json.ok) {
    sendProblem(res, 'VALIDATION_FAILED', 'The body is not JSON.', {
      errors: [{ pointer: '', message: json.message }],
    });
    return;
  }
  const parsed = parseScoreRequest(json.value);
  if (!parsed.ok) {
    sendProblem(res, 'VALIDATION_FAILED', 'The scoring request is invalid.', { errors: parsed.errors });
    return;
  }
  const { device_id, features } = parsed.request;
  sendJson(res, 200, { device_id, ...model.score(features) });
}

function health(model: RiskModel, res: ServerResponse): void {
  sendJson(res, 200, { status: 'ok', model: 'isolation-forest', version: '1', trained_on: model.trainedOn });
}

/**
 * The model's HTTP face: `POST /score` (the `zt.device-risk.v1` contract) and `GET /healthz`.
 * Plain node:http, so the example carries no framework a reader must know before reading it.
 */
export function createRiskModelServer(model: RiskModel): Server {
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://risk-model').pathname;
    const method = req.method ?? '';
    if (path === '/score') {
      if (method !== 'POST') {
        sendProblem(res, 'METHOD_NOT_ALLOWED', `${method} is not allowed on /score; use POST.`, {
          allow: 'POST',
        });
        return;
      }
      score(model, req, res).catch((error: unknown) => {
        process.stderr.write(`risk model: scoring failed: ${String(error)}\n`);
        if (!res.headersSent) sendProblem(res, 'INTERNAL', 'Scoring failed; see the model log.');
      });
    } else if (path === '/healthz') {
      if (method === 'GET' || method === 'HEAD') health(model, res);
      else
        sendProblem(res, 'METHOD_NOT_ALLOWED', `${method} is not allowed on /healthz.`, {
          allow: 'GET, HEAD',
        });
    } else {
      sendProblem(res, 'NOT_FOUND', `There is no ${path}; the model serves POST /score and GET /healthz.`);
    }
  });
}
