import { exportNistPolicy, parseNistPolicy } from './formats/nist';
import { exportZtPolicy, parseZtPolicy } from './formats/zt';
import { exportZtnaPolicy, parseZtnaPolicy } from './formats/ztna';
import type { FormatOptions } from './formats/format-options';
import type { CanonicalPolicy, ParseResult, PolicyFormat } from './model';
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
