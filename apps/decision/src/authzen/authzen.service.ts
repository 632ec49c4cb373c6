import { Injectable } from '@nestjs/common';
import type { Principal } from '@zt/auth';
import { validationProblem } from '@zt/http';
import type { DecisionCall } from '../decisions/decision-call';
import { DecisionsService } from '../decisions/decisions.service';
import { decisionRequestLimitErrors } from '../decisions/decision-request.schema';
import { RateLimiter } from '../decisions/rate-limiter';
import { assertMayAskAbout } from '../decisions/trust-model';
import {
  AuthzenDecision,
  AuthzenEvaluation,
  evaluationErrors,
  evaluationsErrors,
  toAuthzenDecision,
  toDecisionBody,
} from './authzen.mapping';

type Semantic = 'execute_all' | 'deny_on_first_deny' | 'permit_on_first_permit';

interface BatchRequest extends Partial<AuthzenEvaluation> {
  evaluations: Partial<AuthzenEvaluation>[];
  options?: { evaluations_semantic?: Semantic };
}

/** OpenID AuthZEN Authorization API 1.0 on top of the native decision point. */
@Injectable()
export class AuthzenService {
  constructor(
    private readonly decisions: DecisionsService,
    private readonly limiter: RateLimiter,
  ) {}

  /** One evaluation. */
  async evaluate(body: unknown, principal: Principal, call: DecisionCall = {}): Promise<AuthzenDecision> {
    // The decision request limits first: the schema then only sees a document known to be small.
    const bounds = decisionRequestLimitErrors(body);
    if (bounds.length > 0) throw validationProblem(bounds);
    const errors = evaluationErrors(body);
    if (errors.length > 0) throw validationProblem(errors);
    return toAuthzenDecision(
      await this.decisions.decideRequest(toDecisionBody(body as AuthzenEvaluation), principal, call),
    );
  }

  /**
   * A batch: each evaluation takes the top-level subject, action, resource and context where it
   * leaves them out. `deny_on_first_deny` and `permit_on_first_permit` stop after the first
   * such result (which is the last one returned); `execute_all` (the default) runs them all.
   * A caller without the pep role naming another subject in any entry gets 403 and no results.
   */
  async evaluateAll(
    body: unknown,
    principal: Principal,
    call: DecisionCall = {},
  ): Promise<{ evaluations: AuthzenDecision[] }> {
    const errors = evaluationsErrors(body);
    if (errors.length > 0) throw validationProblem(errors);
    const batch = body as BatchRequest;
    // Each entry, and the defaults it inherits, is held to the limits of one decision request.
    const { evaluations, ...defaults } = batch;
    const bounds = [
      ...decisionRequestLimitErrors(defaults),
      ...evaluations.flatMap((e, i) => decisionRequestLimitErrors(e, `/evaluations/${i}`)),
    ];
    if (bounds.length > 0) throw validationProblem(bounds);
    const merged = batch.evaluations.map((e, i) => {
      const evaluation = {
        subject: e.subject ?? batch.subject,
        action: e.action ?? batch.action,
        resource: e.resource ?? batch.resource,
        context: { ...(batch.context ?? {}), ...(e.context ?? {}) },
      };
      const missing = (['subject', 'action', 'resource'] as const).filter((k) => evaluation[k] === undefined);
      if (missing.length > 0) {
        throw validationProblem(
          missing.map((k) => ({
            pointer: `/evaluations/${i}/${k}`,
            detail: 'is required here or at the top level',
          })),
        );
      }
      return evaluation as AuthzenEvaluation;
    });
    // Refused before any evaluation runs: a batch is answered whole or not at all.
    merged.forEach((evaluation, i) =>
      assertMayAskAbout(
        evaluation,
        principal,
        batch.evaluations[i].subject ? `/evaluations/${i}/subject/id` : '/subject/id',
      ),
    );
    const semantic = batch.options?.evaluations_semantic ?? 'execute_all';
    const results: AuthzenDecision[] = [];
    // One call per entry, charged whole before any entry is evaluated or logged (see RateLimiter).
    await this.limiter.chargeBatch(principal.sub, merged.length, '/evaluations', async () => {
      for (const evaluation of merged) {
        const result = toAuthzenDecision(
          await this.decisions.decideRequest(toDecisionBody(evaluation), principal, call),
        );
        results.push(result);
        if (
          (semantic === 'deny_on_first_deny' && !result.decision) ||
          (semantic === 'permit_on_first_permit' && result.decision)
        )
          break;
      }
    });
    return { evaluations: results };
  }
}
