import { exportNistPolicy, parseNistPolicy } from './formats/nist';
import { exportZtPolicy, parseZtPolicy } from './formats/zt';
import { exportZtnaPolicy, parseZtnaPolicy } from './formats/ztna';
import type { FormatOptions } from './formats/format-options';
import type { CanonicalPolicy, ParseResult, PolicyFormat, ValidationIssue } from './model';
import { boundsIssues } from './validation';

export { PolicyExportError } from './formats/format-options';

/** Options of {@link parsePolicy}. */
export interface ParseOptions extends FormatOptions {
  /** The shape of the document; detected from its members when absent. */
  format?: PolicyFormat;
}

/** Recognises the shape of a policy document by its telltale members. */
export function detectFormat(input: Record<string, unknown>): PolicyFormat {
  if ('policyId' in input) return 'nist';
  if ('decision' in input) return 'ztna';
  return 'zt';
}

/** The id rule every shape is held to (the API shape's schema says it too): ids go into URLs. */
export const POLICY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/** Where each shape keeps the policy's id. */
const ID_POINTER: Record<PolicyFormat, string> = { zt: '/id', nist: '/policyId', ztna: '/id' };

/**
 * What every policy must be, whatever its shape: seed schemas allow an empty name, no subjects or
 * no resources and ids of any text, but such a policy could not be exported to the other shapes,
 * addressed in a URL, or match anything.
 */
function canonicalIssues(policy: CanonicalPolicy, format: PolicyFormat): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (!POLICY_ID_PATTERN.test(policy.id)) {
    issues.push({
      pointer: ID_POINTER[format],
      message: 'must be 1 to 128 letters, digits or _.:- starting with a letter or digit',
    });
  }
  if (policy.name.trim() === '') issues.push({ pointer: '/name', message: 'must not be empty' });
  if (policy.subjects.length === 0)
    issues.push({ pointer: '/subjects', message: 'must name at least one subject' });
  if (policy.resources.length === 0) {
    issues.push({ pointer: '/resources', message: 'must name at least one resource' });
  }
  return issues;
}

/**
 * Validates a policy document of any accepted shape (JSON Schema, then semantic checks; every
 * issue names its JSON pointer) and converts it to the canonical model.
 */
export function parsePolicy(input: unknown, options: ParseOptions = {}): ParseResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [{ pointer: '', message: 'must be a JSON object' }] };
  }
  const bounds = boundsIssues(input);
  if (bounds.length > 0) return { ok: false, errors: bounds };
  const document = input as Record<string, unknown>;
  const format = options.format ?? detectFormat(document);
  const parsed = parseShape(document, format, options);
  if (!parsed.ok) return parsed;
  const issues = canonicalIssues(parsed.policy, format);
  return issues.length > 0 ? { ok: false, errors: issues } : parsed;
}

function parseShape(
  document: Record<string, unknown>,
  format: PolicyFormat,
  options: ParseOptions,
): ParseResult {
  switch (format) {
    case 'zt':
      return parseZtPolicy(document, options);
    case 'nist':
      return parseNistPolicy(document, options);
    case 'ztna':
      return parseZtnaPolicy(document, options);
  }
}

/** Exports a canonical policy in one of the accepted shapes; throws PolicyExportError when it cannot. */
export function exportPolicy(policy: CanonicalPolicy, format: PolicyFormat): Record<string, unknown> {
  switch (format) {
    case 'zt':
      return exportZtPolicy(policy);
    case 'nist':
      return exportNistPolicy(policy);
    case 'ztna':
      return exportZtnaPolicy(policy);
  }
}
