import { ValidationError, type CallTrackingOptions, type UsageInput } from "@llm-accounting/core";
import { CallLifecycle } from "./call-lifecycle.js";
import { storableModel } from "./record.js";
import { UsageTracker } from "./usage-tracker.js";

/** The usage a tracked function's result reports; token counts default to 0, `model` to the one in the options. */
export type TrackedUsage = Pick<UsageInput, "promptTokens" | "completionTokens" | "totalTokens" | "cachedTokens" | "cacheWriteTokens" | "reasoningTokens" | "cost"> & {
  /** The model that served the call, when the result says (else the `model` option is recorded). */
  readonly model?: string | null;
};

/** How `tracked` records a function: the wrappers' options, plus what a plain function cannot tell. */
export interface TrackedOptions<A extends unknown[], R> extends CallTrackingOptions {
  /** The model the function calls; recorded, priced, and checked by `guard`. */
  readonly model: string;
  /** The provider family that picks the price (`openai`, `anthropic`...); default none. */
  readonly provider?: string | null;
  /** Reads the usage from the function's result. Its errors go to `onError`; the result is still returned. */
  readonly usage: (result: R) => TrackedUsage;
  /** With `guard`: the input the call sends, counted locally for the reservation (default: none counted). */
  readonly prompt?: (...args: A) => unknown;
  /** With `guard`: the most output tokens one call may produce (default `defaultMaxOutputTokens`, else 4096). */
  readonly maxOutputTokens?: number;
}

/** A tracked function: the same call, plus `flush()` to wait for the records started so far. */
export type TrackedFunction<A extends unknown[], R> = ((...args: A) => Promise<R>) & {
  /** Resolves once every record started so far has been handed to the store (or failed). */
  flush(): Promise<void>;
};

/**
 * Records every call of an async function as an LLM call: its wall time as `executionTime`, its
 * usage read from the result by `usage`, and the names of the options and of `withUsageContext`.
 * With `guard`, the call's worst case is reserved first and a denial throws before `fn` runs.
 * A call whose function throws records nothing (as the SDK wrappers do for failed requests):
 * its reservation is released and the error reaches the caller unchanged.
 */
export function tracked<A extends unknown[], R>(fn: (...args: A) => R | PromiseLike<R>, options: TrackedOptions<A, R>): TrackedFunction<A, R> {
  validate(fn, options);
  const tracker = new UsageTracker(options, options.provider ?? "tracked function");
  const provider = options.provider ?? null;
  const call = async function (this: unknown, ...args: A): Promise<R> {
    const names = tracker.namesNow();
    const lifecycle = await CallLifecycle.begin(
      options,
      { model: options.model, provider, prompt: options.prompt?.(...args) ?? "", maxOutputTokens: options.maxOutputTokens ?? 0 },
      names,
      (error) => tracker.report(error),
    );
    const startedAt = performance.now();
    let result: R;
    try {
      result = await fn.apply(this, args);
    } catch (error) {
      tracker.background(() => lifecycle.release());
      throw error;
    }
    const executionTime = (performance.now() - startedAt) / 1000;
    // Read now: the caller may change the result once it has it.
    let usage: TrackedUsage;
    try {
      usage = options.usage(result);
    } catch (error) {
      tracker.report(error);
      tracker.background(() => lifecycle.release());
      return result;
    }
    const { model, ...tokens } = usage;
    tracker.background(() => lifecycle.record({ ...tokens, model: storableModel(model) ?? options.model, provider, executionTime, ...names }));
    return result;
  };
  return Object.assign(call, { flush: () => tracker.flush() });
}

function validate(fn: unknown, options: TrackedOptions<never, never>): void {
  if (typeof fn !== "function") throw new ValidationError("fn", "must be a function");
  if (typeof options.model !== "string" || options.model === "") throw new ValidationError("model", "must be a non-empty string");
  if (typeof options.usage !== "function") throw new ValidationError("usage", "must be a function reading the usage from the result");
  const cap = options.maxOutputTokens;
  if (cap !== undefined && !(Number.isSafeInteger(cap) && cap > 0)) throw new ValidationError("maxOutputTokens", `must be a positive whole number of tokens (got ${String(cap)})`);
}
