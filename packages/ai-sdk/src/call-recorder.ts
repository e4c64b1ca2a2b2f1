import { currentUsageContext, NameNotAllowedError, QuotaExceededError, type Reservation, type UsageInput } from "@llm-accounting/core";
import { countPromptTokens, countTextTokens } from "@llm-accounting/sdk-kit";
import type { AccountingMiddlewareOptions } from "./middleware-options.js";
import type { ModelUsage, WrappedModel } from "./model-types.js";
import { providerFamily } from "./provider-family.js";
import { tokensFromModelUsage } from "./tokens-from-usage.js";

type CallNames = Pick<UsageInput, "username" | "project" | "callerName" | "session">;

/**
 * Accounts for one model call: holds its reservation (under a guard), times it, and records its
 * usage or releases the reservation exactly once. Only a policy denial ever throws.
 */
export class CallRecorder {
  readonly #options: AccountingMiddlewareOptions;
  readonly #model: WrappedModel;
  readonly #names: CallNames;
  readonly #reservation: Reservation | undefined;
  readonly #startedAt = performance.now();
  #settled = false;

  private constructor(options: AccountingMiddlewareOptions, model: WrappedModel, names: CallNames, reservation: Reservation | undefined) {
    this.#options = options;
    this.#model = model;
    this.#names = names;
    this.#reservation = reservation;
  }

  /**
   * Starts accounting a call about to be made. With `guard`, reserves budget first and throws
   * `QuotaExceededError` (or `NameNotAllowedError`) when the call is not allowed.
   */
  static async begin(options: AccountingMiddlewareOptions, model: WrappedModel): Promise<CallRecorder> {
    const names = namesOf(options);
    let reservation: Reservation | undefined;
    if (options.guard) {
      try {
        reservation = await options.accounting.reserve({
          model: model.modelId,
          username: names.username,
          callerName: names.callerName,
          projectName: names.project,
          session: names.session,
        });
      } catch (error) {
        if (error instanceof QuotaExceededError || error instanceof NameNotAllowedError) throw error;
        // The store being unreachable must not take the application down with it.
        report(options, error);
      }
    }
    return new CallRecorder(options, model, names, reservation);
  }

  /** Records the call's usage (committing its reservation, if any); failures go to `onError`. */
  async succeed(usage: ModelUsage, responseModelId: string | undefined): Promise<void> {
    if (this.#settle()) return;
    try {
      const input = this.#usageInput(usage, responseModelId);
      if (this.#reservation) await this.#commit(input);
      else await (this.#options.sink ?? this.#options.accounting).trackUsage(input);
    } catch (error) {
      report(this.#options, error);
    }
  }

  /**
   * Records a stream that ended without its usage (cancelled, cut off): tokens are estimated with
   * gpt-tokenizer from the prompt and the text received, and also kept in the `local*` fields so
   * estimated rows can be told apart. Failures go to `onError`.
   */
  async abandon(prompt: unknown, generatedText: string, responseModelId: string | undefined): Promise<void> {
    if (this.#settle()) return;
    try {
      const model = responseModelId || this.#model.modelId;
      const promptTokens = await countPromptTokens(model, prompt);
      const completionTokens = await countTextTokens(model, generatedText);
      const input: UsageInput = {
        model,
        provider: providerFamily(this.#model.provider),
        promptTokens,
        completionTokens,
        localPromptTokens: promptTokens,
        localCompletionTokens: completionTokens,
        executionTime: (performance.now() - this.#startedAt) / 1000,
        ...this.#names,
      };
      if (this.#reservation) await this.#commit(input);
      else await (this.#options.sink ?? this.#options.accounting).trackUsage(input);
    } catch (error) {
      report(this.#options, error);
    }
  }

  /** Releases the reservation of a call that failed before any response; nothing is recorded. */
  async fail(): Promise<void> {
    if (this.#settle() || !this.#reservation) return;
    await this.#reservation.cancel().catch((error: unknown) => report(this.#options, error));
  }

  async #commit(input: UsageInput): Promise<void> {
    try {
      await this.#reservation!.commit(input);
    } catch (error) {
      // Holding the budget until the reservation expires would deny calls for nothing.
      await this.#reservation!.cancel().catch(() => undefined);
      throw error;
    }
  }

  #usageInput(usage: ModelUsage, responseModelId: string | undefined): UsageInput {
    return {
      model: responseModelId || this.#model.modelId,
      provider: providerFamily(this.#model.provider),
      ...tokensFromModelUsage(usage),
      executionTime: (performance.now() - this.#startedAt) / 1000,
      ...this.#names,
    };
  }

  /** Marks the call settled; true when it already was. */
  #settle(): boolean {
    const already = this.#settled;
    this.#settled = true;
    return already;
  }
}

// Resolved when the call starts: a stream may finish in another async context than it began in.
function namesOf(options: AccountingMiddlewareOptions): CallNames {
  const context = currentUsageContext();
  return {
    // The per-request context wins over the middleware's static names, as in the SDK wrappers.
    username: context?.username ?? options.username,
    project: context?.project ?? options.project,
    callerName: context?.callerName ?? options.callerName,
    session: context?.session ?? options.session,
  };
}

function report(options: AccountingMiddlewareOptions, error: unknown): void {
  try {
    if (options.onError) options.onError(error);
    else console.warn("llm-accounting: could not account for a model call:", error);
  } catch {
    // An error handler that throws must not fail the model call either.
  }
}
