import { callerOf } from './caller';

const token = (claims: unknown) =>
  `eyJhbGciOiJFUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;

describe('callerOf', () => {
  it('reads the subject of the bearer token', () => {
    expect(callerOf({ authorization: `Bearer ${token({ sub: 'morty' })}` })).toBe('morty');
  });

  it('has no caller without a token, with a token that is not a JWT, or without a sub', () => {
    expect(callerOf({})).toBeUndefined();
    expect(callerOf({ authorization: 'Bearer opaque' })).toBeUndefined();
    expect(callerOf({ authorization: `Bearer ${token({ iss: 'x' })}` })).toBeUndefined();
    expect(callerOf({ authorization: 'Bearer a.!!!.c' })).toBeUndefined();
  });
});
