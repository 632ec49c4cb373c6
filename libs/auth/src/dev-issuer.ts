import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  JWK,
  JWTVerifyGetKey,
  SignJWT,
} from 'jose';

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

type SigningKey = Awaited<ReturnType<typeof importJWK>>;

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
    const dir = join(dataDir, 'dev-issuer');
    const file = join(dir, 'es256.private.jwk.json');
    let privateJwk: JWK;
    if (existsSync(file)) {
      privateJwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
    } else {
      const { privateKey } = await generateKeyPair('ES256', { extractable: true });
      privateJwk = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'ES256', use: 'sig' };
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(file, JSON.stringify(privateJwk), { mode: 0o600 });
      chmodSync(file, 0o600);
    }
    // The public half is the private JWK without its secret member `d`.
    const { d, ...publicJwk } = privateJwk;
    return new DevIssuer(await importJWK(privateJwk, 'ES256'), publicJwk, issuer);
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
