import { tokensFromOpenAIChat, type OpenAIChatUsage } from "@llm-accounting/core";
import type { ApiPromiseLike } from "@llm-accounting/sdk-kit";
import type { SdkMethod } from "@llm-accounting/sdk-kit";
import { collectText } from "@llm-accounting/sdk-kit";
import { observeStream, type StreamObserver } from "@llm-accounting/sdk-kit";
import type { CallOutcome, CallRequest } from "@llm-accounting/sdk-kit";
import { countOf, isObject, stringOf, type JsonObject } from "@llm-accounting/sdk-kit";
import { TrackedCall } from "@llm-accounting/sdk-kit";
import type { UsageTracker } from "@llm-accounting/sdk-kit";


/** `chat.completions.create`, recording every call (streaming or not). */
export function trackedChatCreate(original: SdkMethod, tracker: UsageTracker): SdkMethod {
  const send = (body: unknown, options: unknown) => original(body, options) as ApiPromiseLike<unknown>;
  return (body, options) => {
    if (!isObject(body)) return original(body, options);
    const call = new TrackedCall(tracker, chatRequestOf(body));
    if (body.stream !== true) return call.run(() => send(body, options), (completion) => call.finished(chatOutcomeOf(completion)));
    const { sent, usageAdded } = withUsageRequested(body);
    return call.run(
      () => send(sent, options),
      (stream) => observeStream(stream as AsyncIterable<unknown>, chatStreamObserver(call, usageAdded)),
    );
  };
}

function chatRequestOf(body: JsonObject): CallRequest {
  return {
    model: stringOf(body.model) ?? "unknown",
    prompt: body.messages,
    maxOutputTokens: countOf(body.max_completion_tokens ?? body.max_tokens),
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
  const text: string[] = [];
  return {
    see(chunk) {
      if (!isObject(chunk)) return true;
      model = stringOf(chunk.model) ?? model;
      const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
      for (const choice of choices) if (isObject(choice)) collectText(choice.delta, text);
      if (isObject(chunk.usage)) usage = chunk.usage as OpenAIChatUsage;
      if (!usageAdded || !("usage" in chunk)) return true;
      if (chunk.usage !== null && choices.length === 0) return false;
      delete chunk.usage;
      return true;
    },
    end() {
      call.finished({ model, ...(usage && { tokens: tokensFromOpenAIChat(usage) }), partial: usage === undefined, completionText: () => text.join("") });
    },
  };
}
