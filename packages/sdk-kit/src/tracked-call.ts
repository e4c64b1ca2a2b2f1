import { DeferredApiPromise, mapApiPromise, watchRequestFailure, type ApiPromiseLike } from "./api-promise.js";
import { CallLifecycle } from "./call-lifecycle.js";
import { usageOf, type CallOutcome, type CallRequest } from "./record.js";
import type { CallNames, UsageTracker } from "./usage-tracker.js";

/** One SDK call being tracked: optional reservation, timing, and a single record at the end. */
export class TrackedCall {
  readonly #tracker: UsageTracker;
  readonly #request: CallRequest;
  readonly #names: CallNames;
  // Set before the request is sent; a call finishing earlier (never sent) has nothing to settle.
  #lifecycle: CallLifecycle | undefined;
  #sentAt = performance.now();
  #settled = false;

  constructor(tracker: UsageTracker, request: CallRequest) {
    this.#tracker = tracker;
    this.#request = request;
    this.#names = tracker.namesNow();
  }

  /**
   * Sends the request (after the guard's reservation when enabled) and hands the parsed data to
   * `observe` before the caller sees it. Errors of `observe` are reported, never thrown.
   */
  run<T>(send: () => ApiPromiseLike<T>, observe: (data: T) => void): ApiPromiseLike<T> {
    const transform = (data: T): T => {
      try {
        observe(data);
      } catch (error) {
        this.#tracker.report(error);
      }
      return data;
    };
    if (!this.#tracker.options.guard) {
      this.#sentAt = performance.now();
      return mapApiPromise(send(), transform);
    }
    const sent = this.#begin().then(() => {
      this.#sentAt = performance.now();
      let inner: ApiPromiseLike<T>;
      try {
        inner = send();
      } catch (error) {
        this.failed();
        throw error;
      }
      watchRequestFailure(inner, () => this.failed());
      return { inner: mapApiPromise(inner, transform) };
    });
    return new DeferredApiPromise(sent);
  }

  /** The request failed (no usage to record): releases the reservation, if any. */
  failed(): void {
    if (this.#settled) return;
    this.#settled = true;
    const lifecycle = this.#lifecycle;
    if (lifecycle?.guarded) this.#tracker.background(() => lifecycle.release());
  }

  /**
   * Records the call once, in the background. A guarded call's reservation keeps counting
   * against the limits until the commit replaces it, so the budget is never free in between.
   */
  finished(outcome: CallOutcome): void {
    if (this.#settled) return;
    this.#settled = true;
    const executionTime = (performance.now() - this.#sentAt) / 1000;
    this.#tracker.background(() => this.#record(outcome, executionTime));
  }

  async #record(outcome: CallOutcome, executionTime: number): Promise<void> {
    const { options, provider } = this.#tracker;
    const usage = await usageOf(this.#request, outcome, provider, executionTime, options.countLocalTokens ?? false);
    const lifecycle = this.#lifecycle ?? (await this.#begin());
    await lifecycle.record({ ...usage, ...this.#names });
  }

  // Refusals propagate to the caller; any other accounting failure is reported and the call goes
  // ahead unguarded (failing open), recorded through the sink like an unguarded call.
  async #begin(): Promise<CallLifecycle> {
    const { model, prompt, instructions, maxOutputTokens } = this.#request;
    const { options, provider } = this.#tracker;
    const names = this.#names;
    this.#lifecycle = await CallLifecycle.begin(options, { model, provider, prompt, instructions, maxOutputTokens }, names, (error) => this.#tracker.report(error));
    return this.#lifecycle;
  }
}
