import { join } from 'node:path';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { loadOrCreateSigningKey, SigningKey } from '@zt/auth';
import { APP_CONFIG, AppConfig } from '@zt/config';
import {
  AuditCheckpoint,
  canonicalJson,
  createCloudEvent,
  EventSources,
  EventTypes,
  Topics,
} from '@zt/contracts';
import { MessageBus } from '@zt/messaging';
import { CompactSign, JWK } from 'jose';
import { tryAdvisoryLock } from '@zt/persistence';
import { DataSource } from 'typeorm';

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

  constructor(
    private readonly dataSource: DataSource,
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(true), this.config.AUDIT_CHECKPOINT_SECONDS * 1000);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** The public key that verifies checkpoints. */
  async publicJwks(): Promise<{ keys: JWK[] }> {
    return { keys: [(await this.signingKey()).publicJwk] };
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
      const head: { seq: string; hash: string }[] = await manager.query(
        `SELECT seq, hash FROM audit.records ORDER BY seq DESC LIMIT 1`,
      );
      const last: { seq: string }[] = await manager.query(
        `SELECT seq FROM audit.checkpoints ORDER BY seq DESC LIMIT 1`,
      );
      if (head.length === 0) return undefined;
      const seq = Number(head[0].seq);
      const since = seq - (last.length > 0 ? Number(last[0].seq) : 0);
      if (since === 0 || (!due && since < this.config.AUDIT_CHECKPOINT_EVERY)) return undefined;
      const statement = { seq, headHash: head[0].hash, createdAt: new Date().toISOString() };
      const jws = await new CompactSign(new TextEncoder().encode(canonicalJson(statement)))
        .setProtectedHeader({ alg: 'ES256', kid: key.publicJwk.kid, typ: 'zt-audit-checkpoint+jws' })
        .sign(key.privateKey);
      await manager.query(
        `INSERT INTO audit.checkpoints (seq, head_hash, created_at, jws) VALUES ($1, $2, $3, $4)`,
        [seq, statement.headHash, statement.createdAt, jws],
      );
      return { ...statement, jws };
    });
    if (checkpoint) {
      const event = createCloudEvent({
        id: `audit-checkpoint-${checkpoint.seq}`,
        source: EventSources.audit,
        type: EventTypes.auditCheckpoint,
        subject: String(checkpoint.seq),
        data: checkpoint,
      });
      await this.bus.publish(Topics.auditEvents, [{ key: `checkpoint-${checkpoint.seq}`, event }]);
    }
    return checkpoint;
  }

  private signingKey(): Promise<Key> {
    this.key ??= loadOrCreateSigningKey(
      this.config.AUDIT_SIGNING_KEY_FILE ?? join(this.config.DATA_DIR, 'audit', 'checkpoint-key.jwk.json'),
    );
    return this.key;
  }
}
