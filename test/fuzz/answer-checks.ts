import { FuzzCase } from './fuzz-requests';
import { RawResponse } from './raw-http';

/** A broken promise of the product, as a class (for grouping) and the detail of one instance. */
export interface Violation {
  check: string;
  detail: string;
}

// A deliberate 503 answer (NOT_READY: a min_revision the replica has not reached) is the
// product telling the caller to retry, not a crash; but only for a revision that can exist: one
// past 2^53 cannot even be compared exactly and must be refused (400).
function isDeliberateUnavailable(response: RawResponse, body: unknown): boolean {
  const problem = body as { code?: unknown; min_revision?: unknown } | undefined;
  return (
    response.status === 503 &&
    problem?.code === 'NOT_READY' &&
    Number.isSafeInteger(problem.min_revision) &&
    response.headers.has('retry-after')
  );
}

function parsed(response: RawResponse): unknown {
  try {
    return JSON.parse(response.body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** What is wrong with an answer whatever the input: a 5xx, or an error that is not problem+json. */
export function answerViolations(response: RawResponse): Violation[] {
  const violations: Violation[] = [];
  const body = parsed(response);
  if (response.status >= 500 && !isDeliberateUnavailable(response, body)) {
    violations.push({ check: `server error ${response.status}`, detail: excerpt(response.body) });
  }
  if (response.status >= 400) {
    const type = (response.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    const status = (body as { status?: unknown } | undefined)?.status;
    if (type !== 'application/problem+json') {
      violations.push({
        check: `${response.status} not problem+json`,
        detail: `content-type ${JSON.stringify(type)}, body ${excerpt(response.body)}`,
      });
    } else if (status !== response.status) {
      violations.push({
        check: `${response.status} problem without matching status`,
        detail: excerpt(response.body),
      });
    }
  }
  return violations;
}

function excerpt(body: Buffer): string {
  const text = body.toString('utf8');
  return JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}…` : text);
}

function shown(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…(${text.length} characters)` : text;
}

/** The request as a reader can resend it: method, target, headers, body (long parts shortened). */
export function reproduction(fuzzCase: FuzzCase, tokenNames: Map<string, string>): string {
  const { method, target, headers, body } = fuzzCase.request;
  const lines = [`${method} ${shown(target, 200)}`];
  for (const [name, value] of headers) {
    const token = name === 'authorization' ? tokenNames.get(value.replace(/^Bearer /, '')) : undefined;
    lines.push(`  ${name}: ${token ? `Bearer <${token}>` : JSON.stringify(shown(value, 120))}`);
  }
  if (body)
    lines.push(
      `  body (${body.length} bytes): ${JSON.stringify(shown(Buffer.from(body).toString('latin1'), 300))}`,
    );
  return lines.join('\n');
}
