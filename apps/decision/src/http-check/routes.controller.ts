import { Controller, Get } from '@nestjs/common';
import { Roles } from '@zt/auth';
import { ApiOperation, problem } from '@zt/http';
import { ROUTE_FILE_SCHEMA, RouteFile, RouteTable } from './route-table';

/**
 * The route table this replica maps HTTP checks with, read-only: it comes from ROUTES_FILE, so an
 * operator can see what a replica actually loaded (docs/enforcement-http.md).
 */
@Controller('v1/zt-policy/routes')
export class RoutesController {
  constructor(private readonly routes: RouteTable) {}

  @ApiOperation({
    summary: 'The route table of HTTP checks (ext_authz, forward-auth) this replica loaded from ROUTES_FILE',
    tag: 'decisions',
    responses: {
      200: { description: 'The route file, as loaded', schema: ROUTE_FILE_SCHEMA },
      401: problem('No valid bearer token'),
      403: problem('Requires policy_admin, infra_admin, auditor or pep'),
    },
  })
  @Get()
  @Roles('policy_admin', 'infra_admin', 'auditor', 'pep')
  list(): RouteFile {
    return this.routes.file;
  }
}
