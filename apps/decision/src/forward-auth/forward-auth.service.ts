import { Inject, Injectable } from '@nestjs/common';
import { bearerToken, Principal, TokenVerifier } from '@zt/auth';
import { APP_CONFIG, AppConfig } from '@zt/config';
import { DecisionsService } from '../decisions/decisions.service';
import { decisionBodyOfHttpCheck } from '../http-check/http-check';
import { EnforcementRefusals, RefusalReason } from '../http-check/enforcement-refusals';
import { RouteTable } from '../http-check/route-table';
import {
  ambiguousPathProblem,
  answerOf,
  ForwardAuthGrant,
  gatewayProblemOf,
  noTokenProblem,
  unreadableRequestProblem,
  untrustedPeerProblem,
} from './forward-auth.answers';
import { forwardedCheckOf, receivedHeaders } from './forwarded-request';
import { TrustedProxies } from './trusted-proxies';

/** One call of a gateway: who called (the socket's peer) and the headers it sent. */
export interface ForwardAuthCall {
  peer: string | undefined;
  rawHeaders: readonly string[];
  correlationId?: string;
}

/**
 * Forward-auth: decides the request a gateway (nginx auth_request, Caddy forward_auth, Traefik
 * ForwardAuth) is about to proxy, as ext_authz decides Envoy's. In order, each step failing
 * closed: the caller must be a trusted proxy; the forwarding headers must describe one request
 * (forwarded-request.ts); its path must have one meaning (request-path.ts); the client's bearer
 * token, which the gateway passes on, must be valid and is the subject; then the same route
 * table, trust model and decision as every other API. Denials are 401 or 403
 * (forward-auth.answers.ts).
 */
@Injectable()
export class ForwardAuthService {
  private readonly proxies: TrustedProxies;

  constructor(
    private readonly decisions: DecisionsService,
    @Inject(TokenVerifier) private readonly verifier: TokenVerifier,
    private readonly routes: RouteTable,
    private readonly refusals: EnforcementRefusals,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    // Refuses to start on a malformed list, naming TRUSTED_PROXIES.
    this.proxies = TrustedProxies.of(config.TRUSTED_PROXIES);
  }

  /** The grant for an allowed (or isolated) request; throws the problem a gateway passes on otherwise. */
  async authorize(call: ForwardAuthCall): Promise<ForwardAuthGrant> {
    try {
      return await this.decide(call);
    } catch (error) {
      throw gatewayProblemOf(error);
    }
  }

  private async decide(call: ForwardAuthCall): Promise<ForwardAuthGrant> {
    const refuse = (reason: RefusalReason, detail: string) =>
      this.refusals.record('forward_auth', reason, detail, call.correlationId);
    if (!this.proxies.trusts(call.peer)) {
      refuse('untrusted_peer', 'the caller is not in TRUSTED_PROXIES');
      throw untrustedPeerProblem();
    }
    const received = receivedHeaders(call.rawHeaders);
    const forwarded = forwardedCheckOf(received, this.proxies);
    if (!forwarded.ok) {
      refuse('invalid_request', forwarded.errors.map((e) => `${e.pointer} ${e.detail}`).join('; '));
      throw unreadableRequestProblem(forwarded.errors);
    }
    const mapped = decisionBodyOfHttpCheck(forwarded.check, this.routes);
    if (!mapped.ok) {
      const header = received.headers['x-original-uri'] === undefined ? 'x-forwarded-uri' : 'x-original-uri';
      refuse('ambiguous_path', mapped.reason);
      throw ambiguousPathProblem(`/headers/${header}`, mapped.reason);
    }
    // Checked after the request, as ext_authz does: nothing hostile reaches the verifier.
    if (received.repeated.has('authorization'))
      throw unreadableRequestProblem([
        { pointer: '/headers/authorization', detail: 'is sent more than once' },
      ]);
    const token = bearerToken(received.headers.authorization);
    if (!token) throw noTokenProblem();
    const principal: Principal = await this.verifier.verify(token);
    const response = await this.decisions.decideRequest(mapped.body, principal, {
      correlationId: call.correlationId,
    });
    return answerOf(response, principal);
  }
}
