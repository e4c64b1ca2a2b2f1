import { trackedChatCreate } from "./chat-completions.js";
import type { TrackingOptions } from "@llm-accounting/sdk-kit";
import { patchedClient } from "@llm-accounting/sdk-kit";
import { trackedResponsesCreate } from "./responses.js";
import { UsageTracker } from "@llm-accounting/sdk-kit";

/** Options of `trackOpenAI`. */
export type TrackOpenAIOptions = TrackingOptions;

const trackers = new WeakMap<object, UsageTracker>();

/**
 * Returns a view of an OpenAI client (the same type; the client itself is not changed) that
 * records every `chat.completions.create` and `responses.create` call, streaming or not, and
 * the SDK helpers built on them (`chat.completions.parse/stream/runTools`, `responses.parse/stream`).
 * Accounting never slows or fails a call: records are written in the background and failures go to `onError`.
 */
export function trackOpenAI<Client extends object>(client: Client, options: TrackOpenAIOptions): Client {
  return trackWith(client, new UsageTracker(options, "openai"));
}

/** Resolves once every call recorded so far by this tracked client (or its `withOptions` copies) has been written or failed. */
export async function flushUsage(trackedClient: object): Promise<void> {
  await trackers.get(trackedClient)?.flush();
}

function trackWith<Client extends object>(client: Client, tracker: UsageTracker): Client {
  const tracked = patchedClient(
    client,
    {
      chat: { completions: { create: (original) => trackedChatCreate(original, tracker) } },
      responses: { create: (original) => trackedResponsesCreate(original, tracker) },
    },
    (copy) => trackWith(copy, tracker),
  );
  trackers.set(tracked, tracker);
  return tracked;
}
