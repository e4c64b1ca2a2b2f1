import { withUsageContext } from "@llm-accounting/core";
import { resolveContext, validateOptions, type RequestContextOptions } from "./request-context.js";

/** A request of Express or Connect as the middleware reads it (Node's `IncomingMessage`). */
export interface NodeRequestLike {
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
}

/** Express/Connect middleware: `(req, res, next)`. */
export type ConnectMiddleware<Req> = (request: Req, response: unknown, next: (error?: unknown) => void) => void;

/**
 * Express and Connect middleware running the rest of each request (later middleware, the route
 * handler and everything it awaits) inside `withUsageContext` with the request's names. Mount it
 * before the routes whose calls it should attribute; a failing `context` goes to `next(error)`.
 */
export function expressUsageContext<Req extends NodeRequestLike = NodeRequestLike>(options: RequestContextOptions<Req> = {}): ConnectMiddleware<Req> {
  validateOptions(options);
  return (request, _response, next) => {
    resolveContext(options, request, (r) => r.headers).then(
      (context) => {
        withUsageContext(context, () => next());
      },
      (error: unknown) => next(error),
    );
  };
}
