import { currentUsageContext, resolveCallNames, type CallNames } from "@llm-accounting/core";
import { CallLifecycle } from "@llm-accounting/sdk-kit";
import { recordedTokens } from "./estimated-usage.js";
import type { AccountingMiddlewareOptions } from "./middleware-options.js";
import type { ModelUsage, WrappedModel } from "./model-types.js";
import { providerFamily } from "./provider-family.js";
import { serviceTierOfCall } from "./service-tier.js";

/** What a finished call reported beside its usage, where the service tier can be read. */
export interface CallReport {
  readonly providerMetadata?: unknown;
  /** The raw body of a non-streamed response. */
  readonly responseBody?: unknown;
}

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
  readonly #prompt: unknown;
  readonly #startedAt = performance.now();
  #settled = false;

  private constructor(options: AccountingMiddlewareOptions, model: WrappedModel, names: CallNames, lifecycle: CallLifecycle, prompt: unknown) {
    this.#options = options;
    this.#prompt = prompt;
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
    return new CallRecorder(options, model, names, lifecycle, params.prompt);
  }

  /**
   * Records the call once (committing its reservation, if any), with the usage the model reported;
   * a side it gave no figure for (a stream cut before its `finish` part, cancelled or failed; a
   * provider that sends no usage) is counted locally from the prompt and `generatedText`, and the
   * record is marked estimated. The service tier is the one the response names (`reported`), if any.
   * Failures go to `onError`.
   */
  async record(usage: ModelUsage | undefined, responseModelId: string | undefined, generatedText: () => string, reported: CallReport = {}): Promise<void> {
    if (this.#settle()) return;
    try {
      const model = responseModelId || this.#model.modelId;
      const provider = providerFamily(this.#model.provider);
      const { estimated, ...tokens } = await recordedTokens(model, usage, this.#prompt, generatedText);
      const serviceTier = serviceTierOfCall({ family: provider, providerMetadata: reported.providerMetadata, rawUsage: usage?.raw, responseBody: reported.responseBody });
      await this.#lifecycle.record({
        model,
        provider,
        ...tokens,
        ...(estimated && { estimated }),
        ...(serviceTier !== undefined && { serviceTier }),
        executionTime: (performance.now() - this.#startedAt) / 1000,
        ...this.#names,
      });
    } catch (error) {
      report(this.#options, error);
    }
  }

  /** Releases the reservation of a call that failed before any response; nothing is recorded. */
  async fail(): Promise<void> {
    if (this.#settle()) return;
    await this.#lifecycle.release();
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
