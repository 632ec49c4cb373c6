import type { ServiceDefinition } from '@zt/runtime';
import { PolicyAdminInit1763800000000 } from './migrations/1763800000000-policy-admin-init';
import { PolicyAdminModule } from './policy-admin.module';
import { PolicyEntity, PolicyVersionEntity } from './policies/policy.entity';
import { Principals1763800000002 } from './migrations/1763800000002-principals';
import { PolicyTargets1763800000003 } from './migrations/1763800000003-policy-targets';
import { PrincipalEntity } from './principals/principal.entity';
import { RevisionLog1763800000007 } from './migrations/1763800000007-revision-log';
import { Resources1763800000016 } from './migrations/1763800000016-resources';
import { ResourceEntity } from './resources/resource.entity';
import { AttributeSchemaVersionEntity } from './attribute-schema/attribute-schema.entity';
import { AttributeSchema1763800000024 } from './migrations/1763800000024-attribute-schema';
import { DirectoryHistory1763800000025 } from './migrations/1763800000025-directory-history';

export { PolicyAdminModule };

/** How the runtime hosts policy-admin. */
export const policyAdminService: ServiceDefinition = {
  name: 'policy-admin',
  module: PolicyAdminModule,
  entities: [
    PolicyEntity,
    PolicyVersionEntity,
    PrincipalEntity,
    ResourceEntity,
    AttributeSchemaVersionEntity,
  ],
  migrations: [
    PolicyAdminInit1763800000000,
    Principals1763800000002,
    PolicyTargets1763800000003,
    RevisionLog1763800000007,
    Resources1763800000016,
    AttributeSchema1763800000024,
    DirectoryHistory1763800000025,
  ],
  usesCache: false,
};
