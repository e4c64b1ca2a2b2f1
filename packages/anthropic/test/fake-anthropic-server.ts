import type { ServerResponse } from "node:http";
import { sendEvents, sendJson, startFakeServer, type FakeServer, type ReceivedRequest } from "@llm-accounting/sdk-kit/testing";

/** A local server answering like the Anthropic API (JSON and server-sent events); `closedByClient` counts the `hold-open` streams closed. */
export type FakeAnthropic = FakeServer;

export const MODEL = "claude-sonnet-4-5-20250929";
/** Input excludes cache reads and writes on Anthropic's wire: 12 + 100 + 30 = 142 prompt tokens in all. */
export const USAGE = { input_tokens: 12, output_tokens: 9, cache_read_input_tokens: 100, cache_creation_input_tokens: 30 };
/** What the model `split-usage` reports: the same writes, 20 of them kept for an hour, and the tier that served it. */
export const SPLIT_USAGE = { ...USAGE, cache_creation: { ephemeral_5m_input_tokens: 10, ephemeral_1h_input_tokens: 20 }, service_tier: "batch" };

/**
 * Starts the server on a free port. Models named `error-400` get a 400. Streams send their head
 * (`message_start` and one text delta), then: `stream-error` an error event; `hold-open` nothing
 * more, waiting until the client closes; `cut` one more delta, then destroys the connection;
 * `cumulative` the rest with two `message_delta` events whose usage is cumulative (4, then 9 output
 * tokens, the input repeated); `cut-after-delta` the first of those, then destroys the connection;
 * `split-usage` reports SPLIT_USAGE (streamed: the split arrives with message_delta, as newer API versions send it).
 */
export function startFakeAnthropic(): Promise<FakeAnthropic> {
  return startFakeServer(answer);
}

function answer({ path, body }: ReceivedRequest, res: ServerResponse): void {
  if (!path.startsWith("/v1/messages")) return json(res, 404, { type: "error", error: { type: "not_found_error", message: "not found" } });
  if (body.model === "error-400") return json(res, 400, { type: "error", error: { type: "invalid_request_error", message: "bad request" } });
  if (!body.stream) return json(res, 200, message(body.model === "split-usage" ? SPLIT_USAGE : USAGE));
  messageStream(res, String(body.model));
}

function json(res: ServerResponse, status: number, body: unknown): void {
  sendJson(res, status, body, { "request-id": "req_test" });
}

function message(usage: object): unknown {
  return {
    id: "msg_1",
    type: "message",
    role: "assistant",
    model: MODEL,
    content: [{ type: "text", text: "Hello world" }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage,
  };
}

function messageStream(res: ServerResponse, model: string): void {
  const event = (type: string, data: Record<string, unknown>) => ({ event: type, data: { type, ...data } });
  const start = { id: "msg_2", type: "message", role: "assistant", model: MODEL, content: [], stop_reason: null, stop_sequence: null, usage: { ...USAGE, output_tokens: 1, ...(model === "split-usage" && { service_tier: "batch" }) } };
  const head = [
    event("message_start", { message: start }),
    event("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
    event("ping", {}),
    event("content_block_delta", { index: 0, delta: { type: "text_delta", text: "Hello" } }),
  ];
  if (model === "hold-open") return sendEvents(res, head, { end: false });
  if (model === "stream-error") return sendEvents(res, [...head, event("error", { error: { type: "overloaded_error", message: "Overloaded" } })]);
  const world = event("content_block_delta", { index: 0, delta: { type: "text_delta", text: " world" } });
  if (model === "cut") return sendEvents(res, [...head, world], { end: "cut" });
  if (model === "cumulative" || model === "cut-after-delta") {
    // Each message_delta's usage is the total so far (as with server tools), not an increment.
    const midway = event("message_delta", { delta: { stop_reason: null, stop_sequence: null }, usage: { ...USAGE, output_tokens: 4 } });
    if (model === "cut-after-delta") return sendEvents(res, [...head, world, midway], { end: "cut" });
    const last = event("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: USAGE });
    return sendEvents(res, [...head, world, midway, event("content_block_stop", { index: 0 }), last, event("message_stop", {})]);
  }
  sendEvents(res, [
    ...head,
    world,
    event("content_block_stop", { index: 0 }),
    event("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: model === "split-usage" ? { output_tokens: 9, cache_creation: SPLIT_USAGE.cache_creation } : { output_tokens: 9 } }),
    event("message_stop", {}),
  ]);
}
