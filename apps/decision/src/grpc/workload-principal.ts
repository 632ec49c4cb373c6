import type { Principal } from '@zt/auth';

/**
 * The caller of a check decided for Envoy's mTLS peer identity (`source.principal`, e.g.
 * `spiffe://cluster.local/ns/shop/sa/cart`) instead of a bearer token. Trusted only because
 * Envoy verified the peer's certificate and nothing but Envoy can reach the gRPC port
 * (EXT_AUTHZ_TRUST_PEER_PRINCIPAL). It holds no roles, groups or authentication methods of its
 * own: those come from the principal directory, where the workload is registered under its
 * identity (the directory's type, e.g. `service`, replaces the default `workload`), and it can
 * only ask about itself. No expiry: the certificate's was checked by Envoy.
 */
export function workloadPrincipal(identity: string): Principal {
  return {
    sub: identity,
    roles: [],
    groups: [],
    amr: [],
    mfa: false,
    expiresAt: Number.MAX_SAFE_INTEGER,
    claims: {},
  };
}
