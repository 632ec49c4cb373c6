import { join } from 'node:path';
import { createLocalJWKSet, JWK, JWTVerifyGetKey, SignJWT } from 'jose';
import { loadOrCreateSigningKey, SigningKey } from './signing-key';

/** Issuer name of development tokens unless JWT_ISSUER says otherwise. */
export const DEV_ISSUER_NAME = 'zt-dev-issuer';

/** What a development token says about its subject. */
export interface DevTokenRequest {
  sub: string;
  roles: string[];
  groups?: string[];
  devicePosture?: string;
  mfa?: boolean;
  amr?: string[];
  ttlSeconds?: number;
  audience?: string;
  extra?: Record<string, unknown>;
}

/**
 * The standalone development token issuer: one ES256 key kept under the data folder (so tokens
 * and the `ztctl` CLI survive restarts), its public JWKS, and a minting function. For trying
 * the product only; production points JWKS_URL at a real identity provider.
 */
export class DevIssuer {
  private constructor(
    private readonly privateKey: SigningKey,
    private readonly publicJwk: JWK,
    readonly issuer: string,
  ) {}

  /** Loads the key from `<dataDir>/dev-issuer`, creating it (mode 0600) on first use. */
  static async loadOrCreate(dataDir: string, issuer: string = DEV_ISSUER_NAME): Promise<DevIssuer> {
    const { privateKey, publicJwk } = await loadOrCreateSigningKey(
      join(dataDir, 'dev-issuer', 'es256.private.jwk.json'),
    );
    return new DevIssuer(privateKey, publicJwk, issuer);
  }

  /** The public keys, as served at /.well-known/jwks.json. */
  jwks(): { keys: JWK[] } {
    return { keys: [this.publicJwk] };
  }

  /** A key resolver over this issuer's own JWKS, for verifying its tokens in-process. */
  keyResolver(): JWTVerifyGetKey {
    return createLocalJWKSet(this.jwks());
  }

  /** Mints a signed ES256 token. */
  mint(request: DevTokenRequest): Promise<string> {
    const amr = request.amr ?? (request.mfa ? ['pwd', 'mfa'] : ['pwd']);
    const jwt = new SignJWT({
      ...(request.extra ?? {}),
      roles: request.roles,
      ...(request.groups ? { groups: request.groups } : {}),
      ...(request.devicePosture ? { device_posture: request.devicePosture } : {}),
      amr,
    })
      .setProtectedHeader({ alg: 'ES256', kid: this.publicJwk.kid, typ: 'JWT' })
      .setSubject(request.sub)
      .setIssuer(this.issuer)
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime(`${request.ttlSeconds ?? 3600}s`);
    if (request.audience) jwt.setAudience(request.audience);
    return jwt.sign(this.privateKey);
  }
}
