import { ZT_POLICY_SCHEMA } from '../formats/zt';
import NIST_SCHEMA from './nist.schema.json';
import ZTNA_SCHEMA from './ztna.schema.json';

/** A schema without its `$schema` and `$id`, so it can be embedded in another document. */
function embeddable(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema, $id, ...rest } = schema;
  return rest;
}

/** The JSON Schemas of the three accepted policy shapes, ready to embed (OpenAPI). */
export const POLICY_DOCUMENT_SCHEMAS: Record<'zt' | 'nist' | 'ztna', Record<string, unknown>> = {
  zt: ZT_POLICY_SCHEMA,
  nist: embeddable(NIST_SCHEMA),
  ztna: embeddable(ZTNA_SCHEMA),
};
