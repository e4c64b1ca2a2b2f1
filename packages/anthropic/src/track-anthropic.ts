import { trackedMessagesCreate } from "./messages.js";
import type { TrackingOptions } from "@llm-accounting/sdk-kit";
import { patchedClient, type SdkMethod } from "@llm-accounting/sdk-kit";
import { UsageTracker } from "@llm-accounting/sdk-kit";

/** Options of `trackAnthropic`. */
export type TrackAnthropicOptions = TrackingOptions;

const trackers = new WeakMap<object, UsageTracker>();

/**
 * Returns a view of an Anthropic client (the same type; the client itself is not changed) that
 * records every `messages.create` and `beta.messages.create` call, streaming or not, and the SDK
 * helpers built on them (`messages.stream`, `messages.parse`, ...), cache reads and writes included.
 * Accounting never slows or fails a call: records are written in the background and failures go to `onError`.
 */
export function trackAnthropic<Client extends object>(client: Client, options: TrackAnthropicOptions): Client {
  return trackWith(client, new UsageTracker(options, "anthropic"));
}

/** Resolves once every call recorded so far by this tracked client (or its `withOptions` copies) has been written or failed. */
export async function flushUsage(trackedClient: object): Promise<void> {
  await trackers.get(trackedClient)?.flush();
}

function trackWith<Client extends object>(client: Client, tracker: UsageTracker): Client {
  const create = { create: (original: SdkMethod) => trackedMessagesCreate(original, tracker) };
  const tracked = patchedClient(client, { messages: create, beta: { messages: create } }, (copy) => trackWith(copy, tracker));
  trackers.set(tracked, tracker);
  return tracked;
}
