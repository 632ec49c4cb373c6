/** One invalid field of a request: RFC 6901 JSON pointer and what is wrong with it. */
export interface FieldError {
  pointer: string;
  detail: string;
}

/** Stable error codes; clients may switch on them, so they never change meaning. */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'ROLE_REQUIRED'
  | 'MFA_REQUIRED'
  | 'VALIDATION_FAILED'
  | 'NOT_FOUND'
  | 'POLICY_NOT_FOUND'
  | 'CONFLICT'
  | 'PRECONDITION_FAILED'
  | 'GONE'
  | 'HISTORY_NOT_AVAILABLE'
  | 'RATE_LIMITED'
  | 'REQUEST_TIMEOUT'
  | 'PAYLOAD_TOO_LARGE'
  | 'URI_TOO_LONG'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'HEADERS_TOO_LARGE'
  | 'NOT_READY'
  | 'OVERLOADED'
  | 'DEPENDENCY_UNAVAILABLE'
  | 'INTERNAL';

const TITLES: Record<ErrorCode, string> = {
  UNAUTHENTICATED: 'Unauthorized',
  FORBIDDEN: 'Forbidden',
  ROLE_REQUIRED: 'Forbidden',
  MFA_REQUIRED: 'Forbidden',
  VALIDATION_FAILED: 'Bad Request',
  NOT_FOUND: 'Not Found',
  POLICY_NOT_FOUND: 'Not Found',
  CONFLICT: 'Conflict',
  PRECONDITION_FAILED: 'Precondition Failed',
  GONE: 'Gone',
  HISTORY_NOT_AVAILABLE: 'Unprocessable Content',
  RATE_LIMITED: 'Too Many Requests',
  REQUEST_TIMEOUT: 'Request Timeout',
  PAYLOAD_TOO_LARGE: 'Payload Too Large',
  URI_TOO_LONG: 'URI Too Long',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported Media Type',
  HEADERS_TOO_LARGE: 'Request Header Fields Too Large',
  NOT_READY: 'Service Unavailable',
  OVERLOADED: 'Service Unavailable',
  DEPENDENCY_UNAVAILABLE: 'Service Unavailable',
  INTERNAL: 'Internal Server Error',
};

/**
 * An error that becomes an RFC 9457 problem+json response. Services throw it; the one
 * exception filter in this lib renders it, so every service answers errors the same way.
 */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    readonly detail: string,
    readonly extra: {
      errors?: FieldError[];
      headers?: Record<string, string>;
      /** Set, even to undefined, to replace the request's path as `instance` (undefined leaves it out). */
      instance?: string;
      [member: string]: unknown;
    } = {},
  ) {
    super(detail);
    this.name = 'ProblemError';
  }

  get title(): string {
    return TITLES[this.code];
  }
}

/** 400 with the JSON pointer of each invalid field. */
export function validationProblem(errors: FieldError[], detail = 'The request is invalid.'): ProblemError {
  return new ProblemError(400, 'VALIDATION_FAILED', detail, { errors });
}

/** 401 with the Bearer challenge RFC 6750 asks for. */
export function unauthenticatedProblem(detail: string): ProblemError {
  return new ProblemError(401, 'UNAUTHENTICATED', detail, {
    headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
  });
}
