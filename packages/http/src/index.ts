/**
 * Request middleware for llm-accounting: every LLM call tracked while a request is handled
 * (facade `trackUsage`, the SDK wrappers, `tracked` functions) is recorded under the request's
 * user, session, project and caller. Express/Connect, Fastify, Hono and fetch handlers; no framework
 * is a dependency.
 */
export { expressUsageContext, type ConnectMiddleware, type NodeRequestLike } from "./express.js";
export { fastifyUsageContext, type FastifyLike, type FastifyUsageContextPlugin } from "./fastify.js";
export { fetchUsageContext, type FetchHandler } from "./fetch.js";
export { honoUsageContext, type HonoContextLike, type HonoMiddleware } from "./hono.js";
export { SESSION_HEADER, USER_HEADER, usageContextFromHeaders, type ContextFromRequest, type HeadersLike, type RequestContextOptions } from "./request-context.js";
