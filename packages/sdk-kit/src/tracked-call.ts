import { QuotaExceededError, type Reservation } from "@llm-accounting/core";
import { DeferredApiPromise, mapApiPromise, watchRequestFailure, type ApiPromiseLike } from "./api-promise.js";
import { countPromptTokens } from "./local-tokens.js";
import { usageOf, type CallOutcome, type CallRequest } from "./record.js";
import type { CallNames, UsageTracker } from "./usage-tracker.js";

/** One SDK call being tracked: optional reservation, timing, and a single record at the end. */
export class TrackedCall {
  readonly #tracker: UsageTracker;
  readonly #request: CallRequest;
  readonly #names: CallNames;
  #reservation: Reservation | undefined;
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
    const sent = this.#reserve().then(() => {
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
    const reservation = this.#reservation;
    if (reservation) this.#tracker.background(() => reservation.cancel());
  }

  /** Records the call once, in the background (commits the reservation when guarded). */
  finished(outcome: CallOutcome): void {
    if (this.#settled) return;
    this.#settled = true;
    const executionTime = (performance.now() - this.#sentAt) / 1000;
    this.#tracker.background(() => this.#record(outcome, executionTime));
  }

  async #record(outcome: CallOutcome, executionTime: number): Promise<void> {
    const { options, provider } = this.#tracker;
    const usage = await usageOf(this.#request, outcome, provider, executionTime, options.countLocalTokens ?? false);
    const reservation = this.#reservation;
    if (!reservation) {
      await this.#tracker.store({ ...usage, ...this.#names });
      return;
    }
    try {
      await reservation.commit(usage);
    } catch (error) {
      this.#tracker.report(error);
      // Do not hold the budget until the reservation's TTL because the usage could not be written.
      await reservation.cancel().catch(() => undefined);
    }
  }

  // Refusals propagate to the caller; any other accounting failure is reported and the call goes
  // ahead unguarded (failing open), recorded through the sink like an unguarded call.
  async #reserve(): Promise<void> {
    const { model, prompt, instructions, maxOutputTokens } = this.#request;
    try {
      this.#reservation = await this.#tracker.options.accounting.reserve({
        model,
        inputTokens: await countPromptTokens(model, prompt, instructions),
        completionTokens: maxOutputTokens,
        username: this.#names.username ?? null,
        callerName: this.#names.callerName ?? null,
        projectName: this.#names.project ?? null,
        session: this.#names.session ?? null,
      });
    } catch (error) {
      if (error instanceof QuotaExceededError || (error as { code?: unknown } | null)?.code === "QUOTA_EXCEEDED") throw error;
      this.#tracker.report(error);
    }
  }
}
