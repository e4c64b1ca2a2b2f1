/** Records every Vercel AI SDK model call with llm-accounting, as a language model middleware. */
export { accountingMiddleware } from "./accounting-middleware.js";
export type { AccountingMiddlewareOptions } from "./middleware-options.js";
export { providerFamily } from "./provider-family.js";
export { tokensFromModelUsage } from "./tokens-from-usage.js";
export { serviceTierOfCall, type TierSources } from "./service-tier.js";
export type { ModelUsage } from "./model-types.js";
