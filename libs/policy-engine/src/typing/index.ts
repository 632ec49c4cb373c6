export {
  ATTRIBUTE_SCHEMA_SCHEMA,
  parseAttributeSchema,
  type AttributeSchema,
  type AttributeSchemaResult,
  type AttributeSet,
  type AttributeType,
} from './attribute-schema';
export { typeCheckPolicy, validatePolicyDocument, type PolicyValidationOptions } from './policy-typing';
