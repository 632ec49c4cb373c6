import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { SET_SIGNING_ALG, SetSigningKey } from './set-signing-key';
import type { SubjectId } from './subject-id';

/** JOSE `typ` of a Security Event Token (RFC 8417 §2.3). */
export const SET_TYPE = 'secevent+jwt';
/** SSF 1.0 §8.1.4: the event a transmitter sends when a receiver asks to verify a stream. */
export const VERIFICATION_EVENT = 'https://schemas.openid.net/secevent/ssf/event-type/verification';
/** SSF 1.0 §8.1.5: the event that tells a receiver its stream's status changed. */
export const STREAM_UPDATED_EVENT = 'https://schemas.openid.net/secevent/ssf/event-type/stream-updated';

/** What one SET says: about whom (RFC 9493 `sub_id`), to whom, and its events keyed by type URI. */
export interface SecurityEvent {
  issuer: string;
  audience: string | string[];
  subject: SubjectId;
  events: Record<string, Record<string, unknown>>;
  /** Optional transaction id shared by SETs that stem from one change (RFC 8417 §2.2). */
  txn?: string;
}

/** A signed SET and its `jti`, the id a receiver acknowledges it by. */
export interface SignedSet {
  jti: string;
  jwt: string;
}

/** Signs one SET (RFC 8417) with the transmitter key: RS256, typ secevent+jwt, a fresh jti. */
export async function signSecurityEvent(
  event: SecurityEvent,
  key: SetSigningKey,
  now: Date = new Date(),
): Promise<SignedSet> {
  const jti = randomUUID();
  // No exp: RFC 8417 §2.2 advises against it, a SET is a statement about the past.
  const jwt = await new SignJWT({
    sub_id: event.subject,
    events: event.events,
    ...(event.txn ? { txn: event.txn } : {}),
  })
    .setProtectedHeader({ alg: SET_SIGNING_ALG, typ: SET_TYPE, kid: key.publicJwk.kid })
    .setIssuer(event.issuer)
    .setAudience(event.audience)
    .setIssuedAt(Math.floor(now.getTime() / 1000))
    .setJti(jti)
    .sign(key.privateKey);
  return { jti, jwt };
}
