import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@zt/config';
import { MessageBus } from '@zt/messaging';
import { OutboxRelay } from '@zt/persistence';
import { DataSource } from 'typeorm';
import { DEVICE_INTELLIGENCE_SCHEMA } from './device-intelligence.repository';

/** Relays model integration changes to `zt.admin.actions`, where the audit service records them. */
@Injectable()
export class DeviceIntelligenceOutboxRelay extends OutboxRelay {
  constructor(
    dataSource: DataSource,
    @Inject(MessageBus) bus: MessageBus,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    super(dataSource, bus, {
      schema: DEVICE_INTELLIGENCE_SCHEMA,
      lockKey: 7_290_006,
      pollMs: config.OUTBOX_POLL_MS,
    });
  }
}
