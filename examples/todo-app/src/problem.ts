// The app's own errors as problem+json (RFC 9457), in the shape the enforcement point's refusals
// have, so a client reads every error of the app the same way.
import { HttpException } from '@nestjs/common';

/** One invalid field of a request body: its JSON pointer and what is wrong. */
export interface FieldError {
  pointer: string;
  detail: string;
}

/** An RFC 9457 problem document. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldError[];
}

/** An HttpException whose body is a problem document (written by ProblemFilter). */
export function problem(
  status: number,
  title: string,
  code: string,
  detail: string,
  errors?: FieldError[],
): HttpException {
  const body: ProblemBody = {
    type: 'about:blank',
    title,
    status,
    detail,
    code,
    ...(errors ? { errors } : {}),
  };
  return new HttpException(body, status);
}

/** 400 naming every invalid field. */
export function invalidBody(errors: FieldError[]): HttpException {
  return problem(400, 'Bad Request', 'VALIDATION_FAILED', 'The request is invalid.', errors);
}

/** 404 for a todo or user the app does not have. */
export function notFound(what: string): HttpException {
  return problem(404, 'Not Found', 'NOT_FOUND', `${what} was not found.`);
}

/** Whether a response body already is a problem document (the guard's refusals are). */
export function isProblem(body: unknown): body is ProblemBody {
  const candidate = body as Partial<ProblemBody> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.status === 'number' &&
    typeof candidate.title === 'string'
  );
}
