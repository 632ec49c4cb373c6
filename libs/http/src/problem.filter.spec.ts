import { BadRequestException, NotFoundException } from '@nestjs/common';
import { toProblem } from './problem.filter';
import { ProblemError, validationProblem } from './problem';

describe('toProblem', () => {
  it('keeps a ProblemError as it is', () => {
    const problem = validationProblem([{ pointer: '/name', detail: 'is required' }]);
    expect(toProblem(problem)).toBe(problem);
  });

  it('maps Nest HTTP exceptions to problems with a stable code', () => {
    expect(toProblem(new NotFoundException('nothing here'))).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
    });
    expect(toProblem(new BadRequestException('bad'))).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
    });
  });

  it("maps Fastify's client errors (bad JSON, too large) by their status", () => {
    expect(toProblem({ statusCode: 413, message: 'Request body is too large' })).toMatchObject({
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    });
    const badJson = toProblem({ statusCode: 400, message: 'Unexpected token' });
    expect(badJson).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(badJson.extra.errors).toEqual([{ pointer: '', detail: 'Unexpected token' }]);
  });

  it('hides the message of unexpected errors', () => {
    const problem = toProblem(new Error('password=hunter2 in connection string'));
    expect(problem).toMatchObject({ status: 500, code: 'INTERNAL' });
    expect(problem.detail).not.toContain('hunter2');
  });

  it('gives every code its HTTP title', () => {
    expect(new ProblemError(403, 'MFA_REQUIRED', 'x').title).toBe('Forbidden');
    expect(new ProblemError(429, 'RATE_LIMITED', 'x').title).toBe('Too Many Requests');
  });
});
