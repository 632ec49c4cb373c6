import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@zt/config';
import { MessageBus } from '@zt/messaging';
import { OutboxRelay } from '@zt/persistence';
import { DataSource } from 'typeorm';

/** The schema of policy-admin's tables and outbox. */
export const POLICY_ADMIN_SCHEMA = 'policy_admin';

/** Relays policy and principal changes, in commit order, to `zt.policy.changes`. */
@Injectable()
export class PolicyAdminOutboxRelay extends OutboxRelay {
  constructor(
    dataSource: DataSource,
    @Inject(MessageBus) bus: MessageBus,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    // Any constant works as the lock key; it must only differ from other services' relays.
    super(dataSource, bus, {
      schema: POLICY_ADMIN_SCHEMA,
      lockKey: 7_290_001,
      pollMs: config.OUTBOX_POLL_MS,
    });
  }
}
