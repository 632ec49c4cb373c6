import type { EngineOptions } from '../model';

/** What a format's parser needs besides the document. */
export interface FormatOptions {
  /** Id for documents that carry none (seed 000 bodies). */
  defaultId?: string;
  version?: number;
  engine?: EngineOptions;
}

/** A canonical policy that a shape cannot express without losing its meaning. */
export class PolicyExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyExportError';
  }
}
