import type { ServiceDefinition } from '@zt/runtime';
import { AuditModule } from './audit.module';
import { AuditInit1763800000001 } from './migrations/1763800000001-audit-init';
import { SiemCursor1763800000004 } from './migrations/1763800000004-siem-cursor';
import { Checkpoints1763800000005 } from './migrations/1763800000005-checkpoints';
import { AuditRetention1763800000008 } from './migrations/1763800000008-audit-retention';
import { AuditDeadLetters1763800000011 } from './migrations/1763800000011-audit-dead-letters';
import { AuditRecordEntity } from './records/audit-record.entity';

export { AuditModule };

/** How the runtime hosts the audit service. */
export const auditService: ServiceDefinition = {
  name: 'audit',
  module: AuditModule,
  entities: [AuditRecordEntity],
  migrations: [
    AuditInit1763800000001,
    SiemCursor1763800000004,
    Checkpoints1763800000005,
    AuditRetention1763800000008,
    AuditDeadLetters1763800000011,
  ],
  usesCache: false,
};
