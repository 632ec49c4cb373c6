import type { CanonicalPolicy, Condition, ParseResult, ValidationIssue } from '../model';
import { parsePolicy, type ParseOptions } from '../parse';
import { pointerSegment } from '../validation';
import type { AttributeSchema } from './attribute-schema';
import { checkExpression } from './expression-check';
import { bindingTypes, contextType, setType, typeName, type ValueType } from './value-types';

type AttributeCondition = Extract<Condition, { kind: 'attribute' }>;

/** Where a policy's shape writes its expression and its named attributes. */
function conditionPointer(policy: CanonicalPolicy, condition: Condition): string {
  if (condition.kind === 'expression') return '/conditions/expression';
  const name = pointerSegment((condition as AttributeCondition).name);
  return policy.sourceFormat === 'zt' ? `/conditions/${name}` : `/conditions/attributes/${name}`;
}

/** The type a condition's value asks of its attribute (a number is an upper bound). */
function wantedType(value: AttributeCondition['value']): 'number' | 'string' | 'bool' {
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'bool';
  return 'string';
}

function declared(type: ValueType, name: string): ValueType | undefined {
  if (type.kind === 'object') return Object.hasOwn(type.members, name) ? type.members[name] : undefined;
  return { kind: 'dyn' };
}

/**
 * A named attribute is read from the subject's attributes, then the context (request-facts.ts):
 * it must be declared by one of them, with the kind the condition's value needs.
 */
function attributeIssues(
  schema: AttributeSchema,
  name: string,
  value: AttributeCondition['value'],
  pointer: string,
): ValidationIssue[] {
  const type =
    declared(setType(schema.subject, 'subject.properties'), name) ?? declared(contextType(schema), name);
  if (!type) {
    return [
      {
        pointer,
        message: `names '${name}', which the attribute schema declares neither for the subject nor the context`,
        keyword: 'type',
      },
    ];
  }
  const wanted = wantedType(value);
  return type.kind === 'dyn' || type.kind === wanted
    ? []
    : [{ pointer, message: `compares ${name}, a ${typeName(type)}, with a ${wanted}`, keyword: 'type' }];
}

/** NIST subjects carry attributes the subject must have: each must be a declared subject property. */
function subjectAttributeIssues(schema: AttributeSchema, policy: CanonicalPolicy): ValidationIssue[] {
  if (policy.sourceFormat !== 'nist' || !schema.subject) return [];
  const properties = setType(schema.subject, 'subject.properties');
  const issues: ValidationIssue[] = [];
  policy.subjects.forEach((subject, i) => {
    if (subject.kind === 'any' || !subject.attributes) return;
    for (const [name, value] of Object.entries(subject.attributes)) {
      const pointer = `/subjects/${i}/attributes/${pointerSegment(name)}`;
      const type = declared(properties, name);
      if (!type) {
        issues.push({
          pointer,
          message: `the attribute schema declares no subject property '${name}'`,
          keyword: 'type',
        });
      } else if (
        type.kind !== 'dyn' &&
        typeof value !== 'object' &&
        type.kind !== wantedType(value as string)
      ) {
        issues.push({
          pointer,
          message: `${name} is a ${typeName(type)}, not a ${typeof value}`,
          keyword: 'type',
        });
      }
    }
  });
  return issues;
}

/**
 * Type-checks a parsed policy against an attribute schema: its CEL expression, its named
 * attributes and its subjects' attributes, each issue at its pointer in the policy document.
 * Without a schema only the expression's variables are checked (subject, resource, action,
 * context): everything else is untyped.
 */
export function typeCheckPolicy(policy: CanonicalPolicy, schema?: AttributeSchema): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const variables = bindingTypes(schema, policy.resources);
  for (const condition of policy.conditions) {
    if (condition.kind === 'expression') {
      const pointer = conditionPointer(policy, condition);
      for (const error of checkExpression(condition.source, variables).errors) {
        issues.push({
          pointer,
          message: `at character ${error.offset + 1}: ${error.message}`,
          keyword: 'type',
        });
      }
    } else if (condition.kind === 'attribute' && schema) {
      issues.push(
        ...attributeIssues(schema, condition.name, condition.value, conditionPointer(policy, condition)),
      );
    }
  }
  if (schema) issues.push(...subjectAttributeIssues(schema, policy));
  return issues;
}

/** Options of {@link validatePolicyDocument}. */
export interface PolicyValidationOptions extends ParseOptions {
  /** The attribute schema to type-check against; without one, only variables are checked. */
  schema?: AttributeSchema;
}

/**
 * Everything the server checks of a policy document before it stores one: its shape, its
 * semantics and its types. For offline tools (`ztctl policy validate`).
 */
export function validatePolicyDocument(input: unknown, options: PolicyValidationOptions = {}): ParseResult {
  const parsed = parsePolicy(input, options);
  if (!parsed.ok) return parsed;
  const issues = typeCheckPolicy(parsed.policy, options.schema);
  return issues.length > 0 ? { ok: false, errors: issues } : parsed;
}
