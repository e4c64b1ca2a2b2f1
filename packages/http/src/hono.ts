import { withUsageContext } from "@llm-accounting/core";
import { resolveContext, validateOptions, type RequestContextOptions } from "./request-context.js";

/** A Hono context as the middleware reads it: the fetch `Request` it wraps. */
export interface HonoContextLike {
  readonly req: { readonly raw: Request };
}

/** Hono middleware: `(c, next)`. */
export type HonoMiddleware<C> = (c: C, next: () => Promise<void>) => Promise<void>;

/** Hono middleware running the rest of each request inside `withUsageContext` with the request's names (`app.use(honoUsageContext())`). */
export function honoUsageContext<C extends HonoContextLike = HonoContextLike>(options: RequestContextOptions<C> = {}): HonoMiddleware<C> {
  validateOptions(options);
  return async (c, next) => {
    const context = await resolveContext(options, c, (ctx) => ctx.req.raw.headers);
    await withUsageContext(context, next);
  };
}
