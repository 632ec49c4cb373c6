import { randomBytes } from 'node:crypto';

/** A new policy id in the seed's style (`pol_884b81`), with enough bits to avoid collisions. */
export function newPolicyId(): string {
  return `pol_${randomBytes(6).toString('hex')}`;
}
