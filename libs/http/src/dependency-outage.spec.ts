import { dependencyOutageProblem, isDependencyOutage } from './dependency-outage';
import { toProblem } from './problem.filter';

function withCode(code: string, message = 'failed'): Error {
  return Object.assign(new Error(message), { code });
}

describe('isDependencyOutage', () => {
  it('recognizes refused and lost connections, PostgreSQL shutting down, and an unreachable broker', () => {
    expect(isDependencyOutage(withCode('ECONNREFUSED'))).toBe(true);
    expect(isDependencyOutage(withCode('57P01', 'terminating connection due to administrator command'))).toBe(
      true,
    );
    expect(isDependencyOutage(withCode('08006'))).toBe(true);
    expect(isDependencyOutage(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(
      isDependencyOutage(Object.assign(new Error('x'), { name: 'KafkaJSNumberOfRetriesExceeded' })),
    ).toBe(true);
    // TypeORM wraps the driver's error.
    expect(
      isDependencyOutage(Object.assign(new Error('query failed'), { driverError: withCode('ECONNRESET') })),
    ).toBe(true);
  });

  it('leaves errors of the request or the code alone', () => {
    expect(isDependencyOutage(withCode('23505', 'duplicate key'))).toBe(false);
    expect(isDependencyOutage(new TypeError('x is undefined'))).toBe(false);
    expect(isDependencyOutage(Object.assign(new Error('x'), { name: 'KafkaJSProtocolError' }))).toBe(false);
    expect(isDependencyOutage('ECONNREFUSED')).toBe(false);
  });

  it('does not follow an endless chain of causes', () => {
    const looped: Error & { cause?: unknown } = new Error('loop');
    looped.cause = looped;
    expect(isDependencyOutage(looped)).toBe(false);
  });
});

describe('an outage as a problem', () => {
  it('is 503 with Retry-After, not an unexpected error', () => {
    const problem = toProblem(
      Object.assign(new Error('query failed'), { driverError: withCode('ECONNREFUSED') }),
    );
    expect(problem).toMatchObject({ status: 503, code: 'DEPENDENCY_UNAVAILABLE' });
    expect(problem.extra.headers).toEqual({ 'retry-after': '5' });
    expect(dependencyOutageProblem().detail).not.toMatch(/ECONN/);
  });
});
