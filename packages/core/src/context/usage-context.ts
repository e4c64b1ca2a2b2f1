import { AsyncLocalStorage } from "node:async_hooks";

/** Who and what a call is for, applied to every call tracked inside `withUsageContext`. */
export interface UsageContext {
  readonly username?: string | null;
  readonly project?: string | null;
  readonly callerName?: string | null;
  readonly session?: string | null;
}

const storage = new AsyncLocalStorage<UsageContext>();

/**
 * Runs `fn` with these names attached to every call tracked inside it (across awaits), e.g. one
 * request of a web server. Nested contexts inherit what they do not set. Explicit fields on a
 * tracked call win over the context, and the context wins over the facade's defaults.
 */
export function withUsageContext<T>(context: UsageContext, fn: () => T): T {
  const outer = storage.getStore();
  return storage.run(outer ? { ...outer, ...definedOnly(context) } : context, fn);
}

/** The context of the current async call chain, if any. */
export function currentUsageContext(): UsageContext | undefined {
  return storage.getStore();
}

function definedOnly(context: UsageContext): UsageContext {
  return Object.fromEntries(Object.entries(context).filter(([, value]) => value !== undefined));
}
