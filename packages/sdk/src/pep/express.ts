// Express (and plain Node http) middleware on the shared enforcement point:
//   app.delete('/todos/:id', authorize(pep, { action: 'delete', resource: (req) => ({ type: 'todo', id: req.params.id }) }), handler)
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AuthorizeRule, Enforcer, ZtRequestContext } from './enforcement-point.js';
import type { Refusal } from './refusals.js';

/** What the middleware reads of a request: Express's, or any Node request with `params` added. */
export interface ExpressLikeRequest {
  headers: IncomingHttpHeaders;
  params?: Record<string, string>;
  zt?: ZtRequestContext;
}

/** Writes a refusal on a Node response (Express's is one). */
export function sendRefusal(res: ServerResponse, refusal: Refusal): void {
  res.statusCode = refusal.status;
  for (const [name, value] of Object.entries(refusal.headers)) res.setHeader(name, value);
  res.end(JSON.stringify(refusal.body));
}

/** Express middleware enforcing `rule`; sets `req.zt` and calls next() when the request may go on. */
export function authorize<R extends ExpressLikeRequest>(
  pep: Enforcer<NoInfer<R>>,
  rule: AuthorizeRule<R>,
): (req: R, res: ServerResponse, next: (error?: unknown) => void) => void {
  return (req, res, next) => {
    pep.enforce(rule, req, req.headers).then(
      (outcome) => {
        req.zt = outcome.zt;
        if (outcome.allowed) next();
        else sendRefusal(res, outcome.refusal);
      },
      // enforce() does not throw for decision failures; anything else is the application's error.
      (error: unknown) => next(error),
    );
  };
}
