import { Inject, Injectable, Logger } from '@nestjs/common';
import { ThrottledWarning } from '@zt/observability';
import { Counter, Registry } from 'prom-client';

/** The enforcement APIs that check a gateway's request before any decision. */
export type EnforcementApi = 'ext_authz' | 'forward_auth';

/** Why a request was refused before it was decided. */
export type RefusalReason = 'ambiguous_path' | 'invalid_request' | 'untrusted_peer';

/**
 * Requests a gateway asked about and that were refused before any decision: a path with more than
 * one meaning (traversal, encoded separators), a field the input rule refuses, a caller that is
 * not a trusted proxy. They reach neither the engine nor the decision log, yet they are what an
 * attack looks like, so each is counted (`zt_enforcement_refusals_total{api,reason}`) and
 * written to the log, at most one line per API every 10 s with how many were held back. The line
 * names the reason and the correlation id, never the hostile bytes themselves.
 */
@Injectable()
export class EnforcementRefusals {
  private readonly logger = new Logger('EnforcementRefusals');
  private readonly refusals: Counter;
  private readonly warnings = new Map<EnforcementApi, ThrottledWarning>();

  constructor(@Inject(Registry) metrics: Registry) {
    this.refusals = new Counter({
      name: 'zt_enforcement_refusals_total',
      help: 'Requests ext_authz and forward-auth refused before deciding them: ambiguous_path, invalid_request, untrusted_peer.',
      labelNames: ['api', 'reason'],
      registers: [metrics],
    });
  }

  record(api: EnforcementApi, reason: RefusalReason, detail: string, correlationId?: string): void {
    this.refusals.inc({ api, reason });
    let warning = this.warnings.get(api);
    if (!warning) {
      warning = new ThrottledWarning((message) => this.logger.warn(message));
      this.warnings.set(api, warning);
    }
    warning.warn(
      `${api} refused a request before deciding it: ${reason} (${detail})${correlationId ? ` [correlation id ${correlationId}]` : ''}`,
    );
  }
}
