import { join } from 'node:path';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { loadOrCreateSigningKey, SigningKey } from '@zt/auth';
import { APP_CONFIG, AppConfig } from '@zt/config';
import {
  AuditCheckpoint,
  CHECKPOINT_JWS_TYPE,
  CheckpointKey,
  checkpointStatement,
  createCloudEvent,
  EventSources,
  EventTypes,
  Topics,
} from '@zt/contracts';
import { MessageBus } from '@zt/messaging';
import { CompactSign, createLocalJWKSet, JWK } from 'jose';
import { tryAdvisoryLock } from '@zt/persistence';
import { readPreviousKeys } from './previous-keys';
import { DataSource, EntityManager } from 'typeorm';

const CHECKPOINT_LOCK_KEY = 7_290_004;

interface Key {
  privateKey: SigningKey;
  publicJwk: JWK;
}

/**
 * Signs the chain's head every AUDIT_CHECKPOINT_EVERY records or AUDIT_CHECKPOINT_SECONDS,
 * stores the checkpoint and publishes it on zt.audit.events. With the public key
 * (`GET /audit/keys`), anyone can verify an export offline: a signed head fixes every record
 * before it.
 */
@Injectable()
export class CheckpointService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('CheckpointService');
  private key?: Promise<Key>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private readonly previousKeys: JWK[];

  constructor(
    private readonly dataSource: DataSource,
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    // Read at construction: a bad file stops the service at boot, naming the variable.
    this.previousKeys = readPreviousKeys(config.AUDIT_PREVIOUS_KEYS_FILE);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(true), this.config.AUDIT_CHECKPOINT_SECONDS * 1000);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** The public keys that verify checkpoints: the current one, then those of earlier keys. */
  async publicJwks(): Promise<{ keys: JWK[] }> {
    return { keys: [(await this.signingKey()).publicJwk, ...this.previousKeys] };
  }

  /** What verifies checkpoint signatures online: the key set `publicJwks` serves. */
  async verificationKey(): Promise<CheckpointKey> {
    return createLocalJWKSet(await this.publicJwks());
  }

  /** Checkpoints now if enough records accumulated (or, when `due`, if any did). */
  kick(due = false): void {
    this.running ??= this.checkpoint(due)
      .then(() => undefined)
      .catch((error: unknown) => this.logger.warn(`checkpoint failed, will retry: ${String(error)}`))
      .finally(() => {
        this.running = null;
      });
  }

  /** Signs and stores a checkpoint of the current head when one is due; returns it. */
  async checkpoint(due: boolean): Promise<AuditCheckpoint | undefined> {
    const key = await this.signingKey();
    const checkpoint = await this.dataSource.transaction(async (manager) => {
      if (!(await tryAdvisoryLock(manager, CHECKPOINT_LOCK_KEY))) return undefined;
      const { head, last } = await this.headAndLast(manager);
      if (!head) return undefined;
      const since = head.seq - (last?.seq ?? 0);
      if (since === 0 || (!due && since < this.config.AUDIT_CHECKPOINT_EVERY)) return undefined;
      return this.sign(manager, key, head);
    });
    if (checkpoint) await this.publish(checkpoint);
    return checkpoint;
  }

  /**
   * The checkpoint of the current head, signed now unless the last one already covers it, so
   * an export can end with a signature over its last record (a cut tail then shows). Waits for
   * a checkpoint another replica is signing instead of skipping. Undefined when there are no records.
   */
  async coverHead(): Promise<AuditCheckpoint | undefined> {
    const key = await this.signingKey();
    const result = await this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock($1)`, [CHECKPOINT_LOCK_KEY]);
      const { head, last } = await this.headAndLast(manager);
      if (!head) return undefined;
      if (last?.seq === head.seq) return { checkpoint: last, signed: false };
      return { checkpoint: await this.sign(manager, key, head), signed: true };
    });
    if (result?.signed) await this.publish(result.checkpoint);
    return result?.checkpoint;
  }

  private async headAndLast(
    manager: EntityManager,
  ): Promise<{ head?: { seq: number; hash: string }; last?: AuditCheckpoint }> {
    const heads: { seq: string; hash: string }[] = await manager.query(
      `SELECT seq, hash FROM audit.records ORDER BY seq DESC LIMIT 1`,
    );
    const lasts: { seq: string; head_hash: string; created_at: Date; jws: string }[] = await manager.query(
      `SELECT seq, head_hash, created_at, jws FROM audit.checkpoints ORDER BY seq DESC LIMIT 1`,
    );
    const [head] = heads;
    const [last] = lasts;
    return {
      ...(head ? { head: { seq: Number(head.seq), hash: head.hash } } : {}),
      ...(last
        ? {
            last: {
              seq: Number(last.seq),
              headHash: last.head_hash,
              createdAt: last.created_at.toISOString(),
              jws: last.jws,
            },
          }
        : {}),
    };
  }

  private async sign(
    manager: EntityManager,
    key: Key,
    head: { seq: number; hash: string },
  ): Promise<AuditCheckpoint> {
    const statement = { seq: head.seq, headHash: head.hash, createdAt: new Date().toISOString() };
    const jws = await new CompactSign(new TextEncoder().encode(checkpointStatement(statement)))
      .setProtectedHeader({ alg: 'ES256', kid: key.publicJwk.kid, typ: CHECKPOINT_JWS_TYPE })
      .sign(key.privateKey);
    await manager.query(
      `INSERT INTO audit.checkpoints (seq, head_hash, created_at, jws) VALUES ($1, $2, $3, $4)`,
      [statement.seq, statement.headHash, statement.createdAt, jws],
    );
    return { ...statement, jws };
  }

  private async publish(checkpoint: AuditCheckpoint): Promise<void> {
    const event = createCloudEvent({
      id: `audit-checkpoint-${checkpoint.seq}`,
      source: EventSources.audit,
      type: EventTypes.auditCheckpoint,
      subject: String(checkpoint.seq),
      data: checkpoint,
    });
    await this.bus.publish(Topics.auditEvents, [{ key: `checkpoint-${checkpoint.seq}`, event }]);
  }

  private signingKey(): Promise<Key> {
    this.key ??= loadOrCreateSigningKey(
      this.config.AUDIT_SIGNING_KEY_FILE ?? join(this.config.DATA_DIR, 'audit', 'checkpoint-key.jwk.json'),
    );
    return this.key;
  }
}
