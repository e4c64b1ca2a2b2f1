import { tokensFromAnthropic, type AnthropicUsage } from "@llm-accounting/core";
import { collectText } from "@llm-accounting/sdk-kit";
import { trackedCreate, type StreamObserver, type TrackedCall } from "@llm-accounting/sdk-kit";
import type { SdkMethod } from "@llm-accounting/sdk-kit";
import type { CallOutcome } from "@llm-accounting/sdk-kit";
import { countOf, isObject, serviceTierOf, stringOf } from "@llm-accounting/sdk-kit";
import type { UsageTracker } from "@llm-accounting/sdk-kit";

// Usage fields a `message_delta` may update (the final output count, and on newer APIs the inputs).
const USAGE_FIELDS = ["input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens", "cache_creation"] as const;

/** `messages.create` (and `beta.messages.create`), recording every call, streaming or not. */
export function trackedMessagesCreate(original: SdkMethod, tracker: UsageTracker): SdkMethod {
  return trackedCreate(original, tracker, {
    request: (body) => ({ model: stringOf(body.model) ?? "unknown", prompt: body.messages, instructions: body.system, maxOutputTokens: countOf(body.max_tokens) }),
    outcome: messageOutcomeOf,
    stream: (body) => ({ sent: body, observer: messageStreamObserver }),
  });
}

function messageOutcomeOf(message: unknown): CallOutcome {
  const body = isObject(message) ? message : {};
  const usage = isObject(body.usage) ? (body.usage as AnthropicUsage) : undefined;
  return {
    model: stringOf(body.model),
    ...(usage && { tokens: tokensFromAnthropic(usage) }),
    ...tierOf(usage),
    partial: usage === undefined,
    completionText: () => collectText(body.content).join(""),
  };
}

/**
 * `message_start` carries the model and the input usage (cache reads and writes included);
 * each `message_delta` the usage so far, cumulative: its counts replace the earlier ones, never
 * add to them (server tools can send several). The usage is final at `message_stop`: a stream that
 * ends before it is partial, and its output is also counted locally from the deltas seen.
 */
function messageStreamObserver(call: TrackedCall): StreamObserver<unknown> {
  let model: string | undefined;
  let usage: Record<string, unknown> | undefined;
  let delta = false;
  let final = false;
  const text: string[] = [];
  return {
    see(event) {
      if (!isObject(event)) return true;
      if (event.type === "message_start" && isObject(event.message)) {
        model = stringOf(event.message.model) ?? model;
        if (isObject(event.message.usage)) usage = { ...event.message.usage };
      } else if (event.type === "message_delta" && isObject(event.usage)) {
        usage ??= {};
        for (const field of USAGE_FIELDS) if (typeof event.usage[field] === "number" || isObject(event.usage[field])) usage[field] = event.usage[field];
        delta = true;
      } else if (event.type === "message_stop") {
        final = delta;
      } else if (event.type === "content_block_delta" && isObject(event.delta)) {
        collectText(event.delta, text);
      }
      return true;
    },
    end() {
      const tokens = usage && tokensFromAnthropic(usage as AnthropicUsage);
      call.finished({ model, ...(tokens && { tokens }), ...tierOf(usage), partial: !final, completionText: () => text.join("") });
    },
  };
}

/** Anthropic's `usage.service_tier` (`standard`, `priority`, `batch`), when the usage names it. */
function tierOf(usage: unknown): { serviceTier?: string } {
  const tier = isObject(usage) ? serviceTierOf(usage.service_tier) : undefined;
  return tier === undefined ? {} : { serviceTier: tier };
}
