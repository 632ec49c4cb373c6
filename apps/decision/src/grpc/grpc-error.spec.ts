import { clippedDetails } from './decision-grpc.server';

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
