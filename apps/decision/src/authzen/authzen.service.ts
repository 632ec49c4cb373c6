import { decisionRequestLimitErrors } from '@zt/contracts';
import { Injectable } from '@nestjs/common';
import type { Principal } from '@zt/auth';
import { FieldError, validationProblem } from '@zt/http';
import type { DecisionCall } from '../decisions/decision-call';
import { DecisionsService } from '../decisions/decisions.service';
import { RateLimiter } from '../decisions/rate-limiter';
import { assertMayAskAbout } from '../decisions/trust-model';
import {
  AuthzenAnswer,
  AuthzenBareDecision,
  AuthzenDecision,
  AuthzenEvaluation,
  evaluationErrors,
  evaluationItemErrors,
  evaluationsErrors,
  failedEvaluation,
  shaped,
  toAuthzenDecision,
  toDecisionBody,
} from './authzen.mapping';

type Semantic = 'execute_all' | 'deny_on_first_deny' | 'permit_on_first_permit';

interface BatchRequest extends Partial<AuthzenEvaluation> {
  evaluations?: unknown[];
  options?: { evaluations_semantic?: Semantic };
}

/** One batch entry after validation: the evaluation to run, or why it cannot run. */
type Entry = { evaluation: AuthzenEvaluation; pointer: string } | { errors: FieldError[] };

/** How the caller wants its decisions: `bare` answers `{decision}` only (Prefer: return=minimal). */
export interface AnswerShape {
  bare?: boolean;
}

/** OpenID AuthZEN Authorization API 1.0 on top of the native decision point. */
@Injectable()
export class AuthzenService {
  constructor(
    private readonly decisions: DecisionsService,
    private readonly limiter: RateLimiter,
  ) {}

  /** One evaluation. */
  async evaluate(
    body: unknown,
    principal: Principal,
    call: DecisionCall = {},
    shape: AnswerShape = {},
  ): Promise<AuthzenDecision | AuthzenBareDecision> {
    // The decision request limits first: the schema then only sees a document known to be small.
    const bounds = decisionRequestLimitErrors(body);
    if (bounds.length > 0) throw validationProblem(bounds);
    const errors = evaluationErrors(body);
    if (errors.length > 0) throw validationProblem(errors);
    const decision = toAuthzenDecision(
      await this.decisions.decideRequest(toDecisionBody(body as AuthzenEvaluation), principal, call),
    );
    return shaped(decision, shape.bare === true);
  }

  /**
   * A batch: each evaluation takes the top-level subject, action, resource and context where it
   * leaves them out (a given entity replaces the default whole; contexts are merged). Without
   * `evaluations`, or with an empty array, the request is one evaluation and gets that answer.
   * `deny_on_first_deny` and `permit_on_first_permit` stop after the first such result (which is
   * the last one returned); `execute_all` (the default) runs them all.
   *
   * What is wrong with the request as a whole (its defaults, options, the array) is a 400. An
   * entry that is malformed, or lacks a member the defaults do not supply, fails alone: its answer
   * is `decision: false` with the field errors in its context, and it counts as a denial for
   * `deny_on_first_deny`. A caller without the pep role naming another subject in any entry gets
   * 403 and no results: that is the caller's authority, not a malformed entry.
   */
  async evaluateAll(
    body: unknown,
    principal: Principal,
    call: DecisionCall = {},
    shape: AnswerShape = {},
  ): Promise<{ evaluations: AuthzenAnswer[] } | AuthzenDecision | AuthzenBareDecision> {
    if (isSingleEvaluation(body)) {
      const { evaluations: _none, options: _ignored, ...single } = body as BatchRequest;
      return this.evaluate(single, principal, call, shape);
    }
    const errors = evaluationsErrors(body);
    if (errors.length > 0) throw validationProblem(errors);
    const { evaluations = [], options, ...defaults } = body as BatchRequest;
    // The defaults every entry inherits are held to the limits of one decision request.
    const bounds = decisionRequestLimitErrors(defaults);
    if (bounds.length > 0) throw validationProblem(bounds);
    const entries = evaluations.map((item, i) => entryOf(item, i, defaults));
    // Refused before any evaluation runs: a batch is answered whole or not at all.
    for (const entry of entries) {
      if ('evaluation' in entry) assertMayAskAbout(entry.evaluation, principal, entry.pointer);
    }
    const semantic = options?.evaluations_semantic ?? 'execute_all';
    const results: AuthzenAnswer[] = [];
    // One call per entry, charged whole before any entry is evaluated or logged (see RateLimiter).
    await this.limiter.chargeBatch(principal.sub, entries.length, '/evaluations', async () => {
      for (const entry of entries) {
        const result =
          'errors' in entry
            ? failedEvaluation(entry.errors)
            : shaped(
                toAuthzenDecision(
                  await this.decisions.decideRequest(toDecisionBody(entry.evaluation), principal, call),
                ),
                shape.bare === true,
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

/** A body without `evaluations`, or with an empty array: the single evaluation it stands for. */
function isSingleEvaluation(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const { evaluations } = body as BatchRequest;
  return evaluations === undefined || (Array.isArray(evaluations) && evaluations.length === 0);
}

/** Entry `i` of a batch, completed from the defaults, or the field errors that keep it from running. */
function entryOf(item: unknown, i: number, defaults: Partial<AuthzenEvaluation>): Entry {
  const base = `/evaluations/${i}`;
  // Limits first: the schema then only sees an entry known to be small.
  const bounds = decisionRequestLimitErrors(item, base);
  if (bounds.length > 0) return { errors: bounds };
  const invalid = evaluationItemErrors(item, i);
  if (invalid.length > 0) return { errors: invalid };
  const e = item as Partial<AuthzenEvaluation>;
  const evaluation = {
    subject: e.subject ?? defaults.subject,
    action: e.action ?? defaults.action,
    resource: e.resource ?? defaults.resource,
    context: { ...(defaults.context ?? {}), ...(e.context ?? {}) },
  };
  const missing = (['subject', 'action', 'resource'] as const).filter((k) => evaluation[k] === undefined);
  if (missing.length > 0) {
    return {
      errors: missing.map((k) => ({
        pointer: `${base}/${k}`,
        detail: 'is required here or at the top level',
      })),
    };
  }
  return {
    evaluation: evaluation as AuthzenEvaluation,
    pointer: e.subject ? `${base}/subject/id` : '/subject/id',
  };
}
