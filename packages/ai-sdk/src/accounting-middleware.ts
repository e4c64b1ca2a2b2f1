import { ValidationError } from "@llm-accounting/core";
import { collectText, validateTrackingOptions } from "@llm-accounting/sdk-kit";
import type { LanguageModelMiddleware } from "ai";
import { CallRecorder } from "./call-recorder.js";
import type { AccountingMiddlewareOptions } from "./middleware-options.js";
import type { GenerateResult, StreamResult } from "./model-types.js";
import { tapUsage } from "./usage-tap.js";

/**
 * An AI SDK language model middleware that records every model call (`generateText`,
 * `streamText`, `generateObject`, `streamObject`, each step of a tool loop) with llm-accounting:
 * model, provider, normalised tokens, execution time and names. With `guard`, each call reserves its worst case
 * first and calls over a limit throw `QuotaExceededError` before any request is sent. Accounting failures go to `onError`
 * and never fail the call.
 */
export function accountingMiddleware(options: AccountingMiddlewareOptions): LanguageModelMiddleware {
  if (typeof options?.accounting?.trackUsage !== "function") throw new ValidationError("accounting", "must be an Accounting facade");
  validateTrackingOptions(options);
  return {
    specificationVersion: "v3",
    async wrapGenerate({ doGenerate, model, params }): Promise<GenerateResult> {
      const call = await CallRecorder.begin(options, model, params);
      let result: GenerateResult;
      try {
        result = await doGenerate();
      } catch (error) {
        await call.fail();
        throw error;
      }
      await call.record(result.usage, result.response?.modelId, () => collectText(result.content).join(""), { providerMetadata: result.providerMetadata, responseBody: result.response?.body });
      return result;
    },
    async wrapStream({ doStream, model, params }): Promise<StreamResult> {
      const call = await CallRecorder.begin(options, model, params);
      let result: StreamResult;
      try {
        result = await doStream();
      } catch (error) {
        await call.fail();
        throw error;
      }
      return { ...result, stream: tapUsage(result.stream, call) };
    },
  };
}
