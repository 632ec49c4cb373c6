import { AUTHENTICATION_STRENGTHS, AuthenticationStrength } from './model';

// RFC 8176 methods that are a second factor or imply several factors.
const MULTI_FACTOR = new Set([
  'mfa',
  'otp',
  'sms',
  'tel',
  'hwk',
  'swk',
  'sc',
  'fpt',
  'face',
  'iris',
  'retina',
  'vbm',
  'pop',
]);
// Origin-bound methods (FIDO2/WebAuthn, smart cards): a phishing site cannot replay them.
const PHISHING_RESISTANT = new Set(['phr', 'phrh', 'fido', 'webauthn', 'sc', 'pop']);
const HARDWARE = new Set(['hwk', 'phrh']);

/** Whether these authentication methods (RFC 8176 `amr`) amount to multi-factor authentication. */
export function isMultiFactor(amr: readonly string[]): boolean {
  return amr.some((m) => MULTI_FACTOR.has(m) || PHISHING_RESISTANT.has(m));
}

/** The strongest assurance level the authentication methods reach. */
export function authenticationStrengthOf(amr: readonly string[]): AuthenticationStrength {
  if (amr.some((m) => HARDWARE.has(m))) return 'hardware-token';
  if (amr.some((m) => PHISHING_RESISTANT.has(m))) return 'phishing-resistant-mfa';
  if (isMultiFactor(amr)) return 'mfa';
  return 'password';
}

/** Rank of a strength: higher is stronger. */
export function strengthRank(strength: AuthenticationStrength): number {
  return AUTHENTICATION_STRENGTHS.indexOf(strength);
}
