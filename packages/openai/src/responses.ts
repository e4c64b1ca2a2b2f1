import { tokensFromOpenAIResponses, type OpenAIResponsesUsage } from "@llm-accounting/core";
import type { SdkMethod } from "@llm-accounting/sdk-kit";
import { collectText } from "@llm-accounting/sdk-kit";
import { trackedCreate, type StreamObserver, type TrackedCall } from "@llm-accounting/sdk-kit";
import type { CallOutcome } from "@llm-accounting/sdk-kit";
import { countOf, isObject, serviceTierOf, stringOf } from "@llm-accounting/sdk-kit";
import type { UsageTracker } from "@llm-accounting/sdk-kit";
import { requestedTier, tierOf } from "./chat-completions.js";


// Stream events whose `delta` is output the model produced and is billed for (reasoning included;
// audio deltas are base64, not text), counted locally when a stream ends before its usage.
const TEXT_DELTAS = new Set([
  "response.output_text.delta",
  "response.refusal.delta",
  "response.function_call_arguments.delta",
  "response.reasoning_text.delta",
  "response.reasoning_summary_text.delta",
]);
// Events that carry the final response, with its usage.
const FINAL_EVENTS = new Set(["response.completed", "response.incomplete", "response.failed"]);

/** `responses.create`, recording every call (streaming or not). */
export function trackedResponsesCreate(original: SdkMethod, tracker: UsageTracker): SdkMethod {
  return trackedCreate(original, tracker, {
    request: (body) => ({ model: stringOf(body.model) ?? "unknown", prompt: body.input, instructions: body.instructions, maxOutputTokens: countOf(body.max_output_tokens), ...requestedTier(body.service_tier) }),
    outcome: responseOutcomeOf,
    stream: (body) => ({ sent: body, observer: responsesStreamObserver }),
  });
}

function responseOutcomeOf(response: unknown): CallOutcome {
  const body = isObject(response) ? response : {};
  const usage = isObject(body.usage) ? (body.usage as OpenAIResponsesUsage) : undefined;
  return {
    model: stringOf(body.model),
    ...(usage && { tokens: tokensFromOpenAIResponses(usage) }),
    ...tierOf(body.service_tier),
    partial: usage === undefined,
    completionText: () => collectText(body.output).join(""),
  };
}

/** Takes the model from any event carrying the response, and the usage from the final one. */
function responsesStreamObserver(call: TrackedCall): StreamObserver<unknown> {
  let model: string | undefined;
  let usage: OpenAIResponsesUsage | undefined;
  let tier: string | undefined;
  const text: string[] = [];
  return {
    see(event) {
      if (!isObject(event)) return true;
      const type = stringOf(event.type) ?? "";
      if (isObject(event.response)) {
        model = stringOf(event.response.model) ?? model;
        tier = serviceTierOf(event.response.service_tier) ?? tier;
        if (FINAL_EVENTS.has(type) && isObject(event.response.usage)) usage = event.response.usage as OpenAIResponsesUsage;
      }
      if (TEXT_DELTAS.has(type) && typeof event.delta === "string") text.push(event.delta);
      return true;
    },
    end() {
      call.finished({ model, ...(usage && { tokens: tokensFromOpenAIResponses(usage) }), ...(tier !== undefined && { serviceTier: tier }), partial: usage === undefined, completionText: () => text.join("") });
    },
  };
}
