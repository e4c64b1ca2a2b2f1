import { currentUsageContext, resolveCallNames, type UsageContext } from "@llm-accounting/core";
import { validateTrackingOptions } from "./call-lifecycle.js";
import type { TrackingOptions } from "./options.js";

/** The names a call is recorded under: the async context's, then the client's (core's `resolveCallNames`). */
export type CallNames = UsageContext;

/**
 * Shared by every call of one tracked client: runs accounting work in the background, routes its
 * failures to `onError` (never to the SDK call) and lets `flush()` wait for it.
 */
export class UsageTracker {
  readonly options: TrackingOptions;
  readonly provider: string;
  readonly #pending = new Set<Promise<void>>();
  #warned = false;

  constructor(options: TrackingOptions, provider: string) {
    validateTrackingOptions(options);
    this.options = options;
    this.provider = provider;
  }

  /** The names of a call starting now (captured at once: streams may be read outside the context). */
  namesNow(): CallNames {
    // Unchecked: a bad name reaches the facade with the record and is reported through onError there.
    return resolveCallNames({ context: currentUsageContext(), wrapper: this.options }, { check: false });
  }

  /** Runs accounting work without making the caller wait; failures go to `onError`. */
  background(work: () => Promise<unknown>): void {
    const task = (async () => {
      try {
        await work();
      } catch (error) {
        this.report(error);
      }
    })();
    this.#pending.add(task);
    void task.then(() => this.#pending.delete(task));
  }

  /** Resolves once every record started so far has been handed to the sink (or failed). */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  /** Hands an accounting failure to `onError`; the default warns once per client. */
  report(error: unknown): void {
    try {
      if (this.options.onError) this.options.onError(error);
      else this.#warnOnce(error);
    } catch {
      // An error handler that throws must not break the SDK call either.
    }
  }

  #warnOnce(error: unknown): void {
    if (this.#warned) return;
    this.#warned = true;
    console.warn(`llm-accounting: a ${this.provider} call could not be recorded (later failures of this client are not shown; pass onError to see them):`, error);
  }
}
