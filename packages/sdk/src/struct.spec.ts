import { fromStruct, toStruct } from './struct.js';

describe('google.protobuf.Struct conversion', () => {
  it('round-trips nested JSON through the Struct shape proto-loader uses', () => {
    const json = { a: 1, b: 'x', c: true, d: null, e: [1, 'two', { f: false }], g: { h: { i: 2.5 } } };
    const struct = toStruct(json);
    // proto-loader (oneofs: true) names the member that is set in `kind`; add it as it would.
    const withKinds = JSON.parse(JSON.stringify(struct), (_key, value: unknown) => {
      if (
        value &&
        typeof value === 'object' &&
        !Array.isArray(value) &&
        !('fields' in value) &&
        !('values' in value)
      ) {
        const [member] = Object.keys(value);
        return member?.endsWith('Value') ? { ...value, kind: member } : value;
      }
      return value;
    }) as ReturnType<typeof toStruct>;
    expect(fromStruct(withKinds)).toEqual(json);
  });
});
