import { inputProblems, pointerSegment, textProblem } from '@zt/contracts';
import type { FastifyInstance } from 'fastify';
import { FieldError, ProblemError, validationProblem } from './problem';

/** Longest request URL (path and query string) a route reads, in characters. */
export const MAX_URL_LENGTH = 8192;

/** More problems than this in one request are not listed: the first few say enough. */
const MAX_ERRORS = 10;

/** The parts of a request the input rule reads: Fastify's decoded parameters and parsed body. */
export interface RequestInput {
  params: unknown;
  query: unknown;
  body: unknown;
}

/**
 * Adds the problems of path parameters or query-string values, each named `/<name>` (the
 * convention the routes' own parameter checks use: `/limit`, `/id`) and `/<name>/<i>` for the
 * i-th value of a repeated query parameter; the detail says which kind of parameter it is.
 */
function addParameterProblems(parameters: unknown, kind: string, into: FieldError[]): void {
  if (typeof parameters !== 'object' || parameters === null) return;
  for (const name of Object.keys(parameters)) {
    if (into.length >= MAX_ERRORS) return;
    const pointer = `/${pointerSegment(name)}`;
    const nameProblem = textProblem(name);
    if (nameProblem) {
      into.push({ pointer, detail: `${kind} name ${nameProblem}` });
      continue;
    }
    const value = (parameters as Record<string, unknown>)[name];
    const values = Array.isArray(value) ? value : [value];
    for (let i = 0; i < values.length && into.length < MAX_ERRORS; i++) {
      const text: unknown = values[i];
      const problem = typeof text === 'string' ? textProblem(text) : undefined;
      if (problem)
        into.push({
          pointer: Array.isArray(value) ? `${pointer}/${i}` : pointer,
          detail: `${kind} ${problem}`,
        });
    }
  }
}

/**
 * What the shared rule for untrusted input (@zt/contracts inputProblems) refuses in a request:
 * in its path parameters, its query string and its body (pointers from the body's root). Reads
 * the parsed values in place: nothing is copied or serialized.
 */
export function requestInputProblems(request: RequestInput): FieldError[] {
  const errors: FieldError[] = [];
  addParameterProblems(request.params, 'path parameter', errors);
  addParameterProblems(request.query, 'query parameter', errors);
  if (request.body !== undefined && errors.length < MAX_ERRORS) {
    for (const problem of inputProblems(request.body)) {
      if (errors.length >= MAX_ERRORS) break;
      errors.push(problem);
    }
  }
  return errors;
}

/** 414 for a URL longer than the routes read; the problem leaves out `instance` (it is the URL). */
export function uriTooLongProblem(
  detail = `The URL is longer than ${MAX_URL_LENGTH} characters.`,
): ProblemError {
  return new ProblemError(414, 'URI_TOO_LONG', detail, { instance: undefined });
}

/**
 * Applies the input rule to every route of the instance, Nest's and those registered on Fastify
 * directly: a URL over {@link MAX_URL_LENGTH} is refused before anything reads it (414), and a
 * request whose parameters or body the rule refuses gets 400 VALIDATION_FAILED naming each field,
 * before authentication and before any service sees it. Errors go to the route's error handler,
 * which renders problem+json.
 */
export function installInputRule(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    done(request.url.length > MAX_URL_LENGTH ? uriTooLongProblem() : undefined);
  });
  fastify.addHook('preValidation', (request, _reply, done) => {
    const errors = requestInputProblems(request);
    done(
      errors.length > 0
        ? validationProblem(errors, 'The request holds input that cannot be accepted.')
        : undefined,
    );
  });
}
