import { tokensFromOpenAIChat, type OpenAIChatUsage } from "@llm-accounting/core";
import type { SdkMethod } from "@llm-accounting/sdk-kit";
import { collectText } from "@llm-accounting/sdk-kit";
import { trackedCreate, type StreamObserver, type TrackedCall } from "@llm-accounting/sdk-kit";
import type { CallOutcome, CallRequest } from "@llm-accounting/sdk-kit";
import { countOf, isObject, reportedCostOf, serviceTierOf, stringOf, type JsonObject } from "@llm-accounting/sdk-kit";
import type { UsageTracker } from "@llm-accounting/sdk-kit";


/** `chat.completions.create`, recording every call (streaming or not). */
export function trackedChatCreate(original: SdkMethod, tracker: UsageTracker): SdkMethod {
  return trackedCreate(original, tracker, {
    request: chatRequestOf,
    outcome: chatOutcomeOf,
    stream: (body) => {
      const { sent, usageAdded } = withUsageRequested(body);
      return { sent, observer: (call) => chatStreamObserver(call, usageAdded) };
    },
  });
}

function chatRequestOf(body: JsonObject): CallRequest {
  return {
    model: stringOf(body.model) ?? "unknown",
    prompt: body.messages,
    maxOutputTokens: countOf(body.max_completion_tokens ?? body.max_tokens),
    ...requestedTier(body.service_tier),
  };
}

/** The body with `stream_options.include_usage` set (a copy; the caller's object is not changed). */
function withUsageRequested(body: JsonObject): { sent: JsonObject; usageAdded: boolean } {
  const streamOptions = isObject(body.stream_options) ? body.stream_options : {};
  if (streamOptions.include_usage === true) return { sent: body, usageAdded: false };
  return { sent: { ...body, stream_options: { ...streamOptions, include_usage: true } }, usageAdded: true };
}

function chatOutcomeOf(completion: unknown): CallOutcome {
  const response = isObject(completion) ? completion : {};
  const usage = isObject(response.usage) ? (response.usage as OpenAIChatUsage) : undefined;
  return {
    model: stringOf(response.model),
    ...(usage && { tokens: tokensFromOpenAIChat(usage) }),
    ...costOf(usage),
    ...tierOf(response.service_tier),
    partial: usage === undefined,
    completionText: () => collectText(Array.isArray(response.choices) ? response.choices.map((choice: unknown) => (isObject(choice) ? choice.message : undefined)) : []).join(""),
  };
}

/**
 * Takes the model and usage from the chunks. When the wrapper asked for usage itself, the caller
 * sees exactly what it would have without it: the usage-only final chunk is hidden and the
 * `usage: null` field the API then adds to every other chunk is removed.
 */
function chatStreamObserver(call: TrackedCall, usageAdded: boolean): StreamObserver<unknown> {
  let model: string | undefined;
  let usage: OpenAIChatUsage | undefined;
  let tier: string | undefined;
  const text: string[] = [];
  return {
    see(chunk) {
      if (!isObject(chunk)) return true;
      model = stringOf(chunk.model) ?? model;
      tier = serviceTierOf(chunk.service_tier) ?? tier;
      const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
      for (const choice of choices) if (isObject(choice)) collectText(choice.delta, text);
      if (isObject(chunk.usage)) usage = chunk.usage as OpenAIChatUsage;
      if (!usageAdded || !("usage" in chunk)) return true;
      if (chunk.usage !== null && choices.length === 0) return false;
      delete chunk.usage;
      return true;
    },
    end() {
      call.finished({ model, ...(usage && { tokens: tokensFromOpenAIChat(usage) }), ...costOf(usage), ...(tier !== undefined && { serviceTier: tier }), partial: usage === undefined, completionText: () => text.join("") });
    },
  };
}

/** The cost OpenRouter (and other OpenAI-compatible routers) report in `usage.cost`, in USD. */
function costOf(usage: unknown): { providerCost?: number } {
  const cost = reportedCostOf(usage);
  return cost === undefined ? {} : { providerCost: cost };
}

/** The tier the response says served the call (its `service_tier`), when it says. */
export function tierOf(value: unknown): { serviceTier?: string } {
  const tier = serviceTierOf(value);
  return tier === undefined ? {} : { serviceTier: tier };
}

/** The tier a request asked for; `auto` leaves the choice to OpenAI, so it says nothing. */
export function requestedTier(value: unknown): { serviceTier?: string } {
  return value === "auto" ? {} : tierOf(value);
}
