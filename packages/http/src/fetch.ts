import { withUsageContext } from "@llm-accounting/core";
import { resolveContext, validateOptions, type RequestContextOptions } from "./request-context.js";

/** A fetch-style handler (Bun, Deno, Cloudflare Workers, `@hono/node-server`...), with whatever arguments follow the request. */
export type FetchHandler<A extends unknown[]> = (request: Request, ...rest: A) => Response | Promise<Response>;

/** Wraps a fetch handler so each request runs inside `withUsageContext` with its names. */
export function fetchUsageContext<A extends unknown[]>(handler: FetchHandler<A>, options: RequestContextOptions<Request> = {}): (request: Request, ...rest: A) => Promise<Response> {
  validateOptions(options);
  return async (request, ...rest) => {
    const context = await resolveContext(options, request, (r) => r.headers);
    return withUsageContext(context, () => handler(request, ...rest));
  };
}
