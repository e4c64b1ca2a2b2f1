import { withUsageContext } from "@llm-accounting/core";
import type { NodeRequestLike } from "./express.js";
import { resolveContext, validateOptions, type RequestContextOptions } from "./request-context.js";

type HookDone = (error?: Error) => void;

/** The part of a Fastify instance the plugin uses. */
export interface FastifyLike<Req> {
  addHook(name: "onRequest", hook: (request: Req, reply: unknown, done: HookDone) => void): unknown;
}

/** A Fastify plugin (`app.register(plugin)`), applied to the whole instance. */
export type FastifyUsageContextPlugin<Req> = (instance: FastifyLike<Req>, options: unknown, done: HookDone) => void;

/**
 * A Fastify plugin running each request inside `withUsageContext` with the request's names, from
 * its `onRequest` hook to the handler. Register it before the routes; it is not encapsulated, so
 * it applies to the routes of the instance it is registered on and of its children.
 */
export function fastifyUsageContext<Req extends NodeRequestLike = NodeRequestLike>(options: RequestContextOptions<Req> = {}): FastifyUsageContextPlugin<Req> {
  validateOptions(options);
  const plugin: FastifyUsageContextPlugin<Req> = (instance, _options, done) => {
    instance.addHook("onRequest", (request, _reply, next) => {
      resolveContext(options, request, (r) => r.headers).then(
        (context) => {
          // Fastify carries the async context across reading the body (tested with a body sent in parts).
          withUsageContext(context, () => next());
        },
        (error: unknown) => next(error instanceof Error ? error : new Error(String(error))),
      );
    });
    done();
  };
  // Fastify's own marks (as fastify-plugin sets them): apply to the parent instance, and a name for its errors.
  return Object.assign(plugin, { [Symbol.for("skip-override")]: true, [Symbol.for("fastify.display-name")]: "llm-accounting-usage-context" });
}
