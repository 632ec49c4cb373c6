import type { EntityManager } from 'typeorm';
import { Injectable } from '@nestjs/common';
import { ProblemError, validationProblem } from '@zt/http';
import {
  parseAttributeSchema,
  typeCheckPolicy,
  type AttributeSchema,
  type CanonicalPolicy,
} from '@zt/policy-engine';
import type { Principal } from '@zt/auth';
import { AttributeSchemaVersionEntity } from './attribute-schema.entity';
import { AttributeSchemaRepository } from './attribute-schema.repository';
import { policiesBrokenBy } from './stored-policies-check';

/** Who changes the schema and why; kept in its history. */
export interface SchemaChangeContext {
  actor: Principal;
  reason?: string;
}

/** The attribute schema as the API shows it. */
export interface StoredAttributeSchema {
  version: number;
  schema: AttributeSchema;
  actor: string;
  reason: string | null;
  created_at: string;
}

function view(entity: AttributeSchemaVersionEntity): StoredAttributeSchema {
  return {
    version: entity.version,
    schema: entity.schema,
    actor: entity.actor,
    reason: entity.reason,
    created_at: entity.createdAt.toISOString(),
  };
}

/** Versions listed by the history. */
const HISTORY_LIMIT = 100;

/**
 * The attribute schema policies are type-checked against. A new version is refused while any
 * stored policy would fail it (the answer lists them), so every active policy always passes the
 * current schema: a schema change never leaves a policy silently invalid.
 */
@Injectable()
export class AttributeSchemaService {
  constructor(private readonly repository: AttributeSchemaRepository) {}

  /** The current schema, or 404 when none was stored (policies are then untyped). */
  async get(): Promise<StoredAttributeSchema> {
    const current = await this.repository.current();
    if (!current)
      throw new ProblemError(404, 'NOT_FOUND', 'No attribute schema is stored; policies are untyped.');
    return view(current);
  }

  /** Every version, newest first. */
  async history(): Promise<StoredAttributeSchema[]> {
    return (await this.repository.history(HISTORY_LIMIT)).map(view);
  }

  /** Stores a new version; `ifMatch` (the current version) guards lost updates. */
  async put(
    body: unknown,
    ifMatch: number | undefined,
    context: SchemaChangeContext,
  ): Promise<StoredAttributeSchema> {
    const parsed = parseAttributeSchema(body);
    if (!parsed.ok)
      throw validationProblem(parsed.errors.map((e) => ({ pointer: e.pointer, detail: e.message })));
    return this.repository.inLockedTransaction(async (manager) => {
      const current = await this.repository.current(manager);
      const version = current?.version ?? 0;
      if (ifMatch !== undefined && ifMatch !== version) {
        throw new ProblemError(
          412,
          'PRECONDITION_FAILED',
          `The attribute schema is at version ${version}, not ${ifMatch}.`,
          {
            current_version: version,
          },
        );
      }
      const { broken, total } = policiesBrokenBy(
        parsed.schema,
        await this.repository.activePolicies(manager),
      );
      if (total > 0) {
        throw new ProblemError(
          409,
          'CONFLICT',
          `${total} stored ${total === 1 ? 'policy fails' : 'policies fail'} this schema; change them first.`,
          { policies: broken, policies_failing: total },
        );
      }
      const entity = Object.assign(new AttributeSchemaVersionEntity(), {
        version: version + 1,
        schema: parsed.schema,
        actor: context.actor.sub,
        reason: context.reason ?? null,
        createdAt: new Date(),
      });
      await this.repository.append(manager, entity);
      return view(entity);
    });
  }

  /**
   * Refuses a policy that fails the current schema (or, without one, names a variable that does
   * not exist), with a pointer per problem into the policy document. With `manager`, the schema
   * is read in that transaction: a policy write checks again there, after it holds the revision
   * lock a schema change also takes, so a schema stored meanwhile is the one it is checked with.
   */
  async assertTyped(policy: CanonicalPolicy, manager?: EntityManager): Promise<void> {
    const current = await this.repository.current(manager);
    const issues = typeCheckPolicy(policy, current?.schema);
    if (issues.length > 0) {
      throw validationProblem(
        issues.map((i) => ({ pointer: i.pointer, detail: i.message })),
        current
          ? `The policy does not type-check against attribute schema version ${current.version}.`
          : undefined,
      );
    }
  }
}
