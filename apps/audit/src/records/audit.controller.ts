import { Controller, Get, Query } from '@nestjs/common';
import { Roles } from '@zt/auth';
import { AuditPage, AuditService } from './audit.service';

/** Read access to the audit trail, for auditors. */
@Controller('v1/zt-policy/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('events')
  @Roles('auditor', 'infra_admin')
  events(@Query() query: { type?: string; cursor?: string; limit?: string }): Promise<AuditPage> {
    return this.audit.list(query);
  }
}
