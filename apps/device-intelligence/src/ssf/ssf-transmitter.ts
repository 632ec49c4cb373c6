import type { Server as NetServer } from 'node:net';
import { join } from 'node:path';
import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { APP_CONFIG, AppConfig } from '@zt/config';
import { listeningPortOf, publicBaseUrl } from '@zt/http';
import type { JWK } from 'jose';
import { signSecurityEvent, SecurityEvent, SignedSet } from './security-event-token';
import { POLL_DELIVERY } from './ssf-bodies.schema';
import { loadOrCreateSetSigningKey, SetSigningKey } from './set-signing-key';

/** Where the SSF routes live, below the issuer (the base URL). */
export const SSF_PATHS = {
  metadata: '.well-known/ssf-configuration',
  jwks: 'ssf/v1/jwks.json',
  streams: 'ssf/v1/streams',
  status: 'ssf/v1/status',
  addSubject: 'ssf/v1/subjects:add',
  removeSubject: 'ssf/v1/subjects:remove',
  verify: 'ssf/v1/verify',
  poll: 'ssf/v1/poll',
} as const;

/**
 * Event types this transmitter emits besides verification and stream updates, which every stream
 * gets. Empty in this step: CAEP events from device verdicts and revocations come next, and a
 * transmitter must not claim types it never sends.
 */
export const EVENTS_SUPPORTED: readonly string[] = [];

/** Transmitter configuration metadata (SSF 1.0 §7.1). */
export interface TransmitterMetadata {
  spec_version: string;
  issuer: string;
  jwks_uri: string;
  delivery_methods_supported: string[];
  configuration_endpoint: string;
  status_endpoint: string;
  add_subject_endpoint: string;
  remove_subject_endpoint: string;
  verification_endpoint: string;
  authorization_schemes: { spec_urn: string }[];
  default_subjects: 'ALL' | 'NONE';
}

/** Builds the metadata document for an issuer (pure: the tests call it without a server). */
export function transmitterMetadata(issuer: string): TransmitterMetadata {
  return {
    spec_version: '1_0',
    issuer,
    jwks_uri: `${issuer}/${SSF_PATHS.jwks}`,
    delivery_methods_supported: [POLL_DELIVERY],
    configuration_endpoint: `${issuer}/${SSF_PATHS.streams}`,
    status_endpoint: `${issuer}/${SSF_PATHS.status}`,
    add_subject_endpoint: `${issuer}/${SSF_PATHS.addSubject}`,
    remove_subject_endpoint: `${issuer}/${SSF_PATHS.removeSubject}`,
    verification_endpoint: `${issuer}/${SSF_PATHS.verify}`,
    // OAuth 2.0 bearer tokens (RFC 6749), the same tokens as the rest of the API.
    authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6749' }],
    // Events concern only the subjects a receiver adds to its stream.
    default_subjects: 'NONE',
  };
}

/** This deployment as an SSF transmitter: its issuer URL and the key its SETs are signed with. */
@Injectable()
export class SsfTransmitter implements OnApplicationBootstrap {
  private key: Promise<SetSigningKey> | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly http: HttpAdapterHost,
  ) {}

  /** Loads (or creates) the key at start: a bad SSF_SIGNING_KEY_FILE stops the process. */
  async onApplicationBootstrap(): Promise<void> {
    await this.signingKey();
  }

  /** PUBLIC_BASE_URL, else http://HOST:PORT with the port really listened on; never the Host header. */
  issuer(): string {
    return publicBaseUrl(
      this.config,
      listeningPortOf(this.http.httpAdapter?.getHttpServer() as NetServer | undefined),
    );
  }

  metadata(): TransmitterMetadata {
    return transmitterMetadata(this.issuer());
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: [(await this.signingKey()).publicJwk] };
  }

  /** Signs a SET for a stream's audience, as this issuer. */
  async sign(event: Omit<SecurityEvent, 'issuer'>): Promise<SignedSet> {
    return signSecurityEvent({ ...event, issuer: this.issuer() }, await this.signingKey());
  }

  private signingKey(): Promise<SetSigningKey> {
    this.key ??= loadOrCreateSetSigningKey(
      this.config.SSF_SIGNING_KEY_FILE ?? join(this.config.DATA_DIR, 'ssf', 'set-signing-key.jwk.json'),
    );
    return this.key;
  }
}
