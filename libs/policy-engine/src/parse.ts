import type { CanonicalPolicy, EngineOptions, ParseResult, PolicyFormat } from './model';
import { exportZtPolicy, parseZtPolicy } from './zt-format';

/** Options of {@link parsePolicy}. */
export interface ParseOptions {
  format?: PolicyFormat;
  /** Id for documents that carry none (seed 000 bodies). */
  defaultId?: string;
  version?: number;
  engine?: EngineOptions;
}

/** Recognises the shape of a policy document by its telltale members. */
export function detectFormat(input: unknown): PolicyFormat {
  if (typeof input === 'object' && input !== null) {
    if ('policyId' in input) return 'nist';
    if ('decision' in input) return 'ztna';
  }
  return 'zt';
}

/** Detects the shape (or uses options.format), validates and converts to the canonical model. */
export function parsePolicy(input: unknown, options: ParseOptions = {}): ParseResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [{ pointer: '', message: 'must be a JSON object' }] };
  }
  const format = options.format ?? detectFormat(input);
  switch (format) {
    case 'zt':
      return parseZtPolicy(input, options);
    case 'nist':
    case 'ztna':
      return {
        ok: false,
        errors: [
          { pointer: '', message: `the ${format} policy shape is not accepted yet; use the API shape` },
        ],
      };
  }
}

/** Exports a canonical policy in one of the accepted shapes. */
export function exportPolicy(policy: CanonicalPolicy, format: PolicyFormat): Record<string, unknown> {
  switch (format) {
    case 'zt':
    case 'nist':
    case 'ztna':
      return exportZtPolicy(policy);
  }
}
