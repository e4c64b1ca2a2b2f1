import type { ServerResponse } from "node:http";
import { sendEvents, sendJson, startFakeServer, type FakeServer, type ReceivedRequest } from "@llm-accounting/sdk-kit/testing";

/** A local server answering like the OpenAI API (JSON and server-sent events); `closedByClient` counts the `hold-open` streams closed. */
export type FakeOpenAI = FakeServer;

export const CHAT_MODEL = "gpt-4o-2024-08-06";
export const RESPONSES_MODEL = "gpt-4.1-2025-04-14";
export const CHAT_USAGE = {
  prompt_tokens: 20,
  completion_tokens: 7,
  total_tokens: 27,
  prompt_tokens_details: { cached_tokens: 8, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 2, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
};
/** What a router (model `openrouter/auto`) reports: OpenRouter adds the USD it billed as `usage.cost`. */
export const ROUTED_USAGE = { ...CHAT_USAGE, cost: 0.000123, is_byok: false, cost_details: { upstream_inference_cost: null } };
export const RESPONSES_USAGE = {
  input_tokens: 30,
  input_tokens_details: { cached_tokens: 10 },
  output_tokens: 12,
  output_tokens_details: { reasoning_tokens: 4 },
  total_tokens: 42,
};

/**
 * Starts the server on a free port. Models named `error-400` get a 400. Streams (chat and
 * responses) send their head (the start and the first text delta), then: `stream-error` an error
 * event; `hold-open` nothing more, waiting until the client closes the stream; `cut` nothing more,
 * destroying the connection (a connection failing mid-stream); any other model the rest, usage included; `openrouter/auto`
 * answers chat completions with ROUTED_USAGE.
 */
export function startFakeOpenAI(): Promise<FakeOpenAI> {
  return startFakeServer(answer, { basePath: "/v1" });
}

/** How a stream that stops after its head ends, by model name. */
const HEAD_ONLY: Readonly<Record<string, false | "cut">> = { "hold-open": false, cut: "cut" };

function answer({ path, body }: ReceivedRequest, res: ServerResponse): void {
  if (body.model === "error-400") return json(res, 400, { error: { message: "bad request", type: "invalid_request_error", code: null, param: null } });
  if (path === "/v1/chat/completions") return body.stream ? chatStream(res, body) : json(res, 200, { ...(chatCompletion(chatUsageFor(body)) as object), ...tierAnswered(body) });
  if (path === "/v1/responses") return body.stream ? responseStream(res, String(body.model)) : json(res, 200, { ...response("completed", RESPONSES_USAGE), ...tierAnswered(body) });
  json(res, 404, { error: { message: "not found" } });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  sendJson(res, status, body, { "x-request-id": "req_test" });
}

/** Like the API, a request naming a service tier gets the tier that served it (`auto`: `default`). */
function tierAnswered(body: Record<string, unknown>): { service_tier?: string } {
  if (typeof body.service_tier !== "string") return {};
  return { service_tier: body.service_tier === "auto" ? "default" : body.service_tier };
}

function chatUsageFor(body: Record<string, unknown>): unknown {
  return body.model === "openrouter/auto" ? ROUTED_USAGE : CHAT_USAGE;
}

function chatCompletion(usage: unknown): unknown {
  return {
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 1_700_000_000,
    model: CHAT_MODEL,
    system_fingerprint: "fp_1",
    choices: [{ index: 0, message: { role: "assistant", content: "Hello world", refusal: null }, logprobs: null, finish_reason: "stop" }],
    usage,
  };
}

/** Streams chunks like the API: with `include_usage`, every chunk has `usage: null` and a usage-only chunk comes last. */
function chatStream(res: ServerResponse, body: Record<string, unknown>): void {
  const withUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
  const chunk = (choices: unknown[], usage: unknown = null) => ({
    data: {
      id: "chatcmpl-2",
      object: "chat.completion.chunk",
      created: 1_700_000_000,
      model: CHAT_MODEL,
      system_fingerprint: "fp_1",
      choices,
      ...tierAnswered(body),
      ...(withUsage && { usage }),
    },
  });
  const delta = (content: string) => [{ index: 0, delta: { content }, logprobs: null, finish_reason: null }];
  const start = [chunk([{ index: 0, delta: { role: "assistant", content: "", refusal: null }, logprobs: null, finish_reason: null }]), chunk(delta("Hello"))];
  if (body.model === "stream-error") return sendEvents(res, [...start, { data: { error: { message: "upstream failed", type: "server_error" } } }]);
  const headOnly = HEAD_ONLY[String(body.model)];
  if (headOnly !== undefined) return sendEvents(res, start, { end: headOnly });
  const end = [chunk(delta(" world")), chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }]), ...(withUsage ? [chunk([], chatUsageFor(body))] : [])];
  sendEvents(res, [...start, ...end], { done: true });
}

function response(status: string, usage: unknown, text = "Hi there"): Record<string, unknown> {
  return {
    id: "resp_1",
    object: "response",
    created_at: 1_700_000_000,
    status,
    model: RESPONSES_MODEL,
    output: status === "completed" ? [{ type: "message", id: "msg_1", status: "completed", role: "assistant", content: [{ type: "output_text", text, annotations: [] }] }] : [],
    usage,
  };
}

function responseStream(res: ServerResponse, model: string): void {
  let sequence = 0;
  const event = (type: string, data: Record<string, unknown>) => ({ event: type, data: { type, sequence_number: sequence++, ...data } });
  const at = { item_id: "msg_1", output_index: 0, content_index: 0 };
  const head = [
    event("response.created", { response: response("in_progress", null) }),
    event("response.output_item.added", { output_index: 0, item: { type: "message", id: "msg_1", status: "in_progress", role: "assistant", content: [] } }),
    event("response.content_part.added", { ...at, part: { type: "output_text", text: "", annotations: [] } }),
    event("response.output_text.delta", { ...at, delta: "Hi" }),
  ];
  const headOnly = HEAD_ONLY[model];
  if (headOnly !== undefined) return sendEvents(res, head, { end: headOnly });
  sendEvents(res, [
    ...head,
    event("response.output_text.delta", { ...at, delta: " there" }),
    event("response.output_text.done", { ...at, text: "Hi there" }),
    event("response.completed", { response: response("completed", RESPONSES_USAGE) }),
  ]);
}
