import { missingRequirements } from './auth.guard';
import { principalFromClaims } from './principal';

const engineer = principalFromClaims({ sub: 'e', exp: 1, roles: ['engineer'], amr: ['pwd'] });
const admin = principalFromClaims({ sub: 'a', exp: 1, roles: ['infra_admin'], amr: ['pwd', 'mfa'] });

describe('missingRequirements', () => {
  it('passes when no role or factor is required', () => {
    expect(missingRequirements(engineer, undefined, false)).toEqual([]);
  });

  it('needs any one of the listed roles', () => {
    expect(missingRequirements(admin, ['policy_admin', 'infra_admin'], false)).toEqual([]);
    expect(missingRequirements(engineer, ['policy_admin', 'infra_admin'], false)).toEqual([
      'one of the roles policy_admin, infra_admin',
    ]);
  });

  it('names both the role and MFA when both are missing', () => {
    expect(missingRequirements(engineer, ['infra_admin'], true)).toEqual([
      'the role infra_admin',
      'multi-factor authentication',
    ]);
    expect(missingRequirements(admin, ['infra_admin'], true)).toEqual([]);
  });
});
