/**
 * Shared machinery of the llm-accounting SDK wrappers (@llm-accounting/openai, /anthropic, /ai-sdk):
 * patching a client's methods, observing streams without changing them, tracking one call from
 * request to stored row, and local token counts. Wrapper authors use it; applications use only
 * `tracked`, which records any async function as an LLM call (the wrappers re-export it).
 */
export { DeferredApiPromise, mapApiPromise, watchRequestFailure, type ApiPromiseLike } from "./api-promise.js";
export { CallLifecycle, DEFAULT_MAX_OUTPUT_TOKENS, reservedOutputTokens, validateTrackingOptions, type GuardedRequest, type LifecycleNames } from "./call-lifecycle.js";
export { collectText, countPromptTokens, countTextTokens } from "./local-tokens.js";
export { observeStream, type StreamEnd, type StreamObserver } from "./observe-stream.js";
export type { TrackingOptions } from "./options.js";
export { patchedClient, type MethodPatch, type PatchTree, type SdkMethod } from "./patched-client.js";
export { storableModel, usageOf, type CallOutcome, type CallRequest } from "./record.js";
export { countOf, isObject, reportedCostOf, serviceTierOf, stringOf, type JsonObject } from "./shapes.js";
export { TrackedCall } from "./tracked-call.js";
export { trackedCreate, type TrackedEndpoint } from "./tracked-create.js";
export { tracked, type TrackedFunction, type TrackedOptions, type TrackedUsage } from "./tracked-function.js";
export { UsageTracker, type CallNames } from "./usage-tracker.js";
