import { currentUsageContext, resolveCallNames, type CallNames, type UsageInput } from "@llm-accounting/core";
import { CallLifecycle, countPromptTokens, countTextTokens } from "@llm-accounting/sdk-kit";
import type { AccountingMiddlewareOptions } from "./middleware-options.js";
import type { ModelUsage, WrappedModel } from "./model-types.js";
import { providerFamily } from "./provider-family.js";
import { tokensFromModelUsage } from "./tokens-from-usage.js";

/** The parts of a call's parameters its reservation needs. */
interface CallParams {
  readonly prompt: unknown;
  readonly maxOutputTokens?: number | undefined;
}

/**
 * Accounts for one model call: holds its reservation (under a guard), times it, and records its
 * usage or releases the reservation exactly once. Only a policy denial ever throws.
 */
export class CallRecorder {
  readonly #options: AccountingMiddlewareOptions;
  readonly #model: WrappedModel;
  readonly #names: CallNames;
  readonly #lifecycle: CallLifecycle;
  readonly #startedAt = performance.now();
  #settled = false;

  private constructor(options: AccountingMiddlewareOptions, model: WrappedModel, names: CallNames, lifecycle: CallLifecycle) {
    this.#options = options;
    this.#model = model;
    this.#names = names;
    this.#lifecycle = lifecycle;
  }

  /**
   * Starts accounting a call about to be made. With `guard`, reserves the call's worst case first
   * (its prompt counted locally plus `maxOutputTokens`, else `defaultMaxOutputTokens`) and throws
   * `QuotaExceededError` (or `NameNotAllowedError`) when the call is not allowed.
   */
  static async begin(options: AccountingMiddlewareOptions, model: WrappedModel, params: CallParams): Promise<CallRecorder> {
    const names = namesOf(options);
    const request = { model: model.modelId, provider: providerFamily(model.provider), prompt: params.prompt, maxOutputTokens: params.maxOutputTokens ?? 0 };
    const lifecycle = await CallLifecycle.begin(options, request, names, (error) => report(options, error));
    return new CallRecorder(options, model, names, lifecycle);
  }

  /** Records the call's usage (committing its reservation, if any); failures go to `onError`. */
  async succeed(usage: ModelUsage, responseModelId: string | undefined): Promise<void> {
    if (this.#settle()) return;
    try {
      await this.#lifecycle.record(this.#usageInput(usage, responseModelId));
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
      await this.#lifecycle.record(input);
    } catch (error) {
      report(this.#options, error);
    }
  }

  /** Releases the reservation of a call that failed before any response; nothing is recorded. */
  async fail(): Promise<void> {
    if (this.#settle()) return;
    await this.#lifecycle.release();
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

// Resolved when the call starts (a stream may finish in another async context than it began in),
// by core's one resolver: the per-request context wins over the middleware's static names.
function namesOf(options: AccountingMiddlewareOptions): CallNames {
  return resolveCallNames({ context: currentUsageContext(), wrapper: options }, { check: false });
}

function report(options: AccountingMiddlewareOptions, error: unknown): void {
  try {
    if (options.onError) options.onError(error);
    else console.warn("llm-accounting: could not account for a model call:", error);
  } catch {
    // An error handler that throws must not fail the model call either.
  }
}
