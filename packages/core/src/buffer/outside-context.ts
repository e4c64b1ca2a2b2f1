import { AsyncResource } from "node:async_hooks";
import { currentUsageContext, withUsageContext, type UsageContext } from "../context/usage-context.js";

// Batches are written outside any usage context, so the facade adds nothing: names were captured
// from the caller's context at enqueue, and the writer may run inside any caller's context. The
// scope captured when this module loads is normally empty (no ALS hooks, no per-record copies);
// if it was loaded inside a context, an all-null context neutralises it instead.
const ROOT_SCOPE = new AsyncResource("UsageBufferWrite");
const ROOT_IS_EMPTY = currentUsageContext() === undefined;
const NO_CONTEXT: UsageContext = { username: null, project: null, callerName: null, session: null };

/** Runs `fn` outside any usage context (how the buffer writes its batches). */
export const outsideContext = <T>(fn: () => T): T => (ROOT_IS_EMPTY ? ROOT_SCOPE.runInAsyncScope(fn) : withUsageContext(NO_CONTEXT, fn));
