import * as grpc from '@grpc/grpc-js';
import { overloadedProblem, ProblemError } from '@zt/http';
import { clippedDetails, grpcErrorOf } from './decision-grpc.server';

describe('clippedDetails', () => {
  it('keeps a message within the limit as it is', () => {
    expect(clippedDetails('short')).toBe('short');
  });

  it('never splits a surrogate pair at the cut, which encodeURI would throw on', () => {
    const details = `${'a'.repeat(2_047)}😀 and more`;
    const clipped = clippedDetails(details);
    expect(clipped).toBe(`${'a'.repeat(2_047)}…`);
    expect(() => encodeURI(clipped)).not.toThrow();
    const aligned = clippedDetails(`${'a'.repeat(2_046)}😀 and more`);
    expect(aligned).toBe(`${'a'.repeat(2_046)}😀…`);
    expect(() => encodeURI(aligned)).not.toThrow();
  });
});

describe('grpcErrorOf', () => {
  it('sends a refusal by admission control as RESOURCE_EXHAUSTED with its retry-after', () => {
    const error = grpcErrorOf(overloadedProblem());
    expect(error.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(error.metadata?.get('retry-after')).toEqual(['1']);
  });

  it('keeps a replica behind the revision asked for as UNAVAILABLE', () => {
    const error = grpcErrorOf(
      new ProblemError(503, 'NOT_READY', 'behind', { headers: { 'retry-after': '1' } }),
    );
    expect(error.code).toBe(grpc.status.UNAVAILABLE);
  });
});
