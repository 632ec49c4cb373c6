// The enforcement point (PEP) every adapter shares: builds the decision request from the
// framework's request, asks the decision point (through the local cache), and turns the answer
// into "go on" (allow, isolate) or a refusal (deny 403, require_mfa 401 step-up, failure 503).
import type { Decision, DecisionRequest, Effect } from '../api-types.js';
import type { DecideOptions } from '../client.js';
import { isUnavailable, ZtProblemError } from '../errors.js';
import { DecisionCache, type DecisionCacheOptions, requestDigest } from './decision-cache.js';
import {
  denied,
  type Refusal,
  stepUp,
  type StepUpOptions,
  unauthenticated,
  unavailable,
} from './refusals.js';
import { childTraceparent, traceparentOf } from './trace-context.js';

/** What asks the decision point: a ZtClient (HTTP or gRPC). */
export interface DecisionSource {
  decide(request: DecisionRequest, options?: DecideOptions): Promise<Decision>;
}

/** The headers of an incoming request, as Node gives them (lower-case names). */
export type IncomingHeaders = Record<string, string | string[] | undefined>;

type Resource = DecisionRequest['resource'];
type Subject = NonNullable<DecisionRequest['subject']>;

/** What one route requires: the action and resource (from the request), and how it fails. */
export interface AuthorizeRule<R = unknown> {
  action: string | ((request: R) => string);
  resource: (request: R) => Resource;
  /** Context facts (device, ip, ...) to send; the decision point adds what it knows itself. */
  context?: (request: R) => Record<string, unknown>;
  /** Let the request through when no decision can be had (default: the enforcement point's, false). */
  failOpen?: boolean;
  /** Deadline of the decision for this route (default: the enforcement point's). */
  timeoutMs?: number;
}

/** What the application sees of the decision (`req.zt`). */
export interface ZtRequestContext {
  /** The effect decided; null when the route failed open without a decision. */
  decision: Effect | null;
  decisionId: string | null;
  revision: number | null;
  /** Serve the request isolated (a browser-isolation proxy, read-only mode...): the decision was `isolate`. */
  isolate: boolean;
  /** True when the decision point could not answer and the route is configured to fail open. */
  failedOpen: boolean;
  obligations: Decision['obligations'];
  /** The W3C traceparent of this request (the caller's, or one started here), for logs and onward calls. */
  traceparent: string;
  /** Headers for the application's onward calls: traceparent, the decision id, and Zt-Min-Revision when one came. */
  onwardHeaders: Record<string, string>;
  /** Whether the answer came from the local cache. */
  cached: boolean;
}

/** The outcome of enforcing: go on (with the context for the application) or refuse. */
export type Enforcement =
  { allowed: true; zt: ZtRequestContext } | { allowed: false; refusal: Refusal; zt: ZtRequestContext };

/** What the enforcement point tells the application's logger about each decision. */
export interface DecisionEvent {
  decision: Effect | null;
  decisionId: string | null;
  traceparent: string;
  cached: boolean;
  failedOpen: boolean;
  error?: Error;
}

/** How an enforcement point behaves. */
export interface EnforcementPointOptions<R = unknown> {
  client: DecisionSource;
  /** Deadline of a decision (default 500 ms): past it the route fails closed (or open). */
  timeoutMs?: number;
  /** Default for routes that say nothing: let requests through when no decision can be had (default false). */
  failOpen?: boolean;
  /** The local decision cache (default on); false turns it off. */
  cache?: DecisionCacheOptions | false;
  /**
   * Who the subject is. Default: the caller's own bearer token is forwarded and the decision point
   * decides for its (verified) subject. With this function, the client's own token is used (it
   * needs the role `pep`) and this subject is asked about.
   */
  subject?: (request: R, headers: IncomingHeaders) => Subject | undefined;
  /** The RFC 9470 challenge of a require_mfa refusal. */
  stepUp?: StepUpOptions;
  /** Called with every decision (for the application's logs). */
  onDecision?: (event: DecisionEvent) => void;
}

const MIN_REVISION_HEADER = 'zt-min-revision';

function header(headers: IncomingHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function bearerOf(headers: IncomingHeaders): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header(headers, 'authorization') ?? '');
  return match?.[1];
}

function minRevisionOf(headers: IncomingHeaders): number | undefined {
  const raw = header(headers, MIN_REVISION_HEADER);
  return raw && /^\d{1,15}$/.test(raw) ? Number(raw) : undefined;
}

/** What an adapter needs of an enforcement point: enforcing a rule on a request of its framework. */
export interface Enforcer<Q> {
  enforce(rule: AuthorizeRule<Q>, request: Q, headers: IncomingHeaders): Promise<Enforcement>;
}

/** Enforces decisions for one application; share one instance across its routes (it holds the cache). */
export class EnforcementPoint<R = unknown> {
  readonly cache?: DecisionCache;

  constructor(private readonly options: EnforcementPointOptions<R>) {
    if (options.cache !== false) this.cache = new DecisionCache(options.cache ?? {});
  }

  /** Notes a policy revision learnt elsewhere (an admin write, a status poll): older cache entries stop being used. */
  observeRevision(revision: number): void {
    this.cache?.observeRevision(revision);
  }

  /** Decides `request` for `rule` and says whether it may go on. Never throws for a decision failure. */
  async enforce<Q extends R>(
    rule: AuthorizeRule<Q>,
    request: Q,
    headers: IncomingHeaders,
  ): Promise<Enforcement> {
    const traceparent = traceparentOf(headers['traceparent']);
    const minRevision = minRevisionOf(headers);
    const context = (
      decision: Decision | undefined,
      cached: boolean,
      failedOpen = false,
    ): ZtRequestContext => ({
      decision: decision?.decision ?? null,
      decisionId: decision?.decision_id ?? null,
      revision: decision?.revision ?? null,
      isolate: decision?.decision === 'isolate',
      failedOpen,
      obligations: decision?.obligations ?? [],
      traceparent,
      cached,
      onwardHeaders: {
        traceparent,
        ...(decision ? { 'zt-decision-id': decision.decision_id } : {}),
        ...(minRevision !== undefined ? { [MIN_REVISION_HEADER]: String(minRevision) } : {}),
      },
    });

    const subject = this.options.subject?.(request, headers);
    // Forwarding mode: the caller's token says who the subject is, verified by the decision point.
    const token = this.options.subject ? undefined : bearerOf(headers);
    if (!this.options.subject && !token) {
      return {
        allowed: false,
        refusal: unauthenticated('A bearer token is required.'),
        zt: context(undefined, false),
      };
    }

    let decisionRequest: DecisionRequest;
    try {
      decisionRequest = {
        ...(subject ? { subject } : {}),
        action: typeof rule.action === 'function' ? rule.action(request) : rule.action,
        resource: rule.resource(request),
        ...(rule.context ? { context: rule.context(request) } : {}),
      };
    } catch (error) {
      // The route's own functions failed on this request: nothing to ask about, so refuse.
      return this.failed(rule, error, context, false);
    }

    const key = this.cache ? requestDigest(decisionRequest, token) : '';
    const hit = this.cache?.get(key, minRevision);
    let decision: Decision;
    if (hit) decision = hit;
    else {
      try {
        decision = await this.options.client.decide(decisionRequest, {
          timeoutMs: rule.timeoutMs ?? this.options.timeoutMs ?? 500,
          token,
          minRevision,
          headers: { traceparent: childTraceparent(traceparent) },
        });
      } catch (error) {
        return this.failed(rule, error, context, true);
      }
      this.cache?.set(key, decision);
    }

    const zt = context(decision, hit !== undefined);
    this.options.onDecision?.({
      decision: decision.decision,
      decisionId: decision.decision_id,
      traceparent,
      cached: zt.cached,
      failedOpen: false,
    });
    switch (decision.decision) {
      case 'allow':
      case 'isolate':
        return { allowed: true, zt };
      case 'deny':
        return { allowed: false, refusal: denied(decision), zt };
      case 'require_mfa':
        return { allowed: false, refusal: stepUp(decision, this.options.stepUp), zt };
    }
  }

  private failed<Q extends R>(
    rule: AuthorizeRule<Q>,
    error: unknown,
    context: (decision: Decision | undefined, cached: boolean, failedOpen?: boolean) => ZtRequestContext,
    asked: boolean,
  ): Enforcement {
    const cause = error instanceof Error ? error : new Error(String(error));
    // Only an unavailable decision point may fail open; a refused question (4xx) never does.
    const failOpen = asked && isUnavailable(error) && (rule.failOpen ?? this.options.failOpen ?? false);
    const zt = context(undefined, false, failOpen);
    this.options.onDecision?.({
      decision: null,
      decisionId: null,
      traceparent: zt.traceparent,
      cached: false,
      failedOpen: failOpen,
      error: cause,
    });
    if (failOpen) return { allowed: true, zt };
    if (error instanceof ZtProblemError && error.status === 401) {
      return { allowed: false, refusal: unauthenticated('The bearer token was not accepted.'), zt };
    }
    return {
      allowed: false,
      refusal: unavailable('No access decision could be made; try again shortly.'),
      zt,
    };
  }
}
