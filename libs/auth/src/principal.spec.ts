import { authenticationStrengthOf, isMultiFactor } from '@zt/policy-engine';
import { principalFromClaims } from './principal';

describe('principal', () => {
  it('ranks authentication methods: password < mfa < phishing-resistant < hardware', () => {
    expect(authenticationStrengthOf(['pwd'])).toBe('password');
    expect(authenticationStrengthOf(['pwd', 'otp'])).toBe('mfa');
    expect(authenticationStrengthOf(['webauthn'])).toBe('phishing-resistant-mfa');
    expect(authenticationStrengthOf(['pwd', 'hwk'])).toBe('hardware-token');
  });

  it('treats a password alone as single-factor', () => {
    expect(isMultiFactor(['pwd'])).toBe(false);
    expect(isMultiFactor([])).toBe(false);
    expect(isMultiFactor(['pwd', 'mfa'])).toBe(true);
  });

  it('accepts roles as a space-separated string, as some issuers send them', () => {
    expect(principalFromClaims({ sub: 'a', exp: 1, roles: 'engineer infra_admin' }).roles).toEqual([
      'engineer',
      'infra_admin',
    ]);
  });

  it('bounds the number of roles', () => {
    const roles = Array.from({ length: 101 }, (_, i) => `r${i}`);
    expect(() => principalFromClaims({ sub: 'a', exp: 1, roles })).toThrow(/roles/);
  });
});
