import { AsyncLocalStorage } from "node:async_hooks";
import { mergeTags, type UsageTags } from "../usage/usage-tags.js";

/** Who and what a call is for, applied to every call tracked inside `withUsageContext`. */
export interface UsageContext {
  readonly username?: string | null;
  readonly project?: string | null;
  readonly callerName?: string | null;
  readonly session?: string | null;
  /** Tags for every call inside; merged key by key with an outer context's (inner wins) and under the call's own. */
  readonly tags?: UsageTags | null;
}

const storage = new AsyncLocalStorage<UsageContext>();

/**
 * Runs `fn` with these names attached to every call tracked inside it (across awaits), e.g. one
 * request of a web server. Nested contexts inherit what they do not set. Explicit fields on a
 * tracked call win over the context, and the context wins over the facade's defaults.
 */
export function withUsageContext<T>(context: UsageContext, fn: () => T): T {
  const outer = storage.getStore();
  if (!outer) return storage.run(context, fn);
  const tags = context.tags === null ? null : mergeTags(outer.tags, context.tags);
  return storage.run({ ...outer, ...definedOnly(context), ...(tags !== undefined && { tags }) }, fn);
}

/** The context of the current async call chain, if any. */
export function currentUsageContext(): UsageContext | undefined {
  return storage.getStore();
}

function definedOnly(context: UsageContext): UsageContext {
  return Object.fromEntries(Object.entries(context).filter(([, value]) => value !== undefined));
}
