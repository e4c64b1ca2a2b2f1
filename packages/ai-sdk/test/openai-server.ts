import type { ServerResponse } from "node:http";
import { sendEvents, sendJson, startFakeServer, type ReceivedRequest } from "@llm-accounting/sdk-kit/testing";

/** What the fake OpenAI server answers: the text, the (dated) model and the usage it reports. */
export interface Reply {
  readonly text: string;
  readonly model: string;
  readonly promptTokens: number;
  readonly cachedTokens: number;
  readonly completionTokens: number;
  readonly reasoningTokens: number;
  /** Answer with this HTTP status and an OpenAI error body instead. */
  readonly failWith?: number;
  /** Answer a chat completion with this tool call instead of the text (streamed: its arguments in pieces). */
  readonly toolCall?: { readonly name: string; readonly arguments: string };
  /**
   * Stop a chat stream short after its first `after` chunks (the role chunk counts as one):
   * `cut` destroys the connection, `hold-open` waits until the client closes it, `no-usage` ends
   * it normally but without the usage chunk (finish reason included, or not when cut before it).
   */
  readonly stop?: { readonly after: number; readonly how: "cut" | "hold-open" | "no-usage" };
  /** The `service_tier` a JSON answer names (none when unset). */
  readonly serviceTier?: string;
}

/** A local server speaking OpenAI's wire format (chat completions and responses, JSON and SSE). */
export interface OpenAIServer {
  readonly baseURL: string;
  readonly requests: ReceivedRequest[];
  /** What requests are answered with, once `queued` is empty. */
  reply: Reply;
  /** Answers for the next requests, first one first. */
  readonly queued: Reply[];
  close(): Promise<void>;
}

export const DEFAULT_REPLY: Reply = {
  text: "Hello there, general Kenobi.",
  model: "gpt-4o-mini-2024-07-18",
  promptTokens: 1200,
  cachedTokens: 1000,
  completionTokens: 300,
  reasoningTokens: 200,
};

/** Starts the server on a free port of 127.0.0.1. */
export async function startOpenAIServer(): Promise<OpenAIServer> {
  const state = { reply: DEFAULT_REPLY };
  const queued: Reply[] = [];
  const server = await startFakeServer(({ path, body }, res) => answer(path, body, queued.shift() ?? state.reply, res), { basePath: "/v1" });
  return {
    baseURL: server.baseURL,
    requests: server.requests,
    queued,
    get reply() {
      return state.reply;
    },
    set reply(reply: Reply) {
      state.reply = reply;
    },
    close: () => server.close(),
  };
}

function answer(path: string, body: Record<string, unknown>, reply: Reply, res: ServerResponse): void {
  if (reply.failWith) return sendJson(res, reply.failWith, { error: { message: "upstream exploded", type: "server_error", param: null, code: "boom" } });
  if (path === "/v1/chat/completions") return body.stream ? chatStream(res, reply) : sendJson(res, 200, chatCompletion(reply));
  if (path === "/v1/responses") return sendJson(res, 200, response(reply));
  sendJson(res, 404, { error: { message: `no route ${path}`, type: "invalid_request_error", param: null, code: "not_found" } });
}

const CREATED = 1_751_360_400;

function chatUsage(reply: Reply) {
  return {
    prompt_tokens: reply.promptTokens,
    completion_tokens: reply.completionTokens,
    total_tokens: reply.promptTokens + reply.completionTokens,
    prompt_tokens_details: { cached_tokens: reply.cachedTokens },
    completion_tokens_details: { reasoning_tokens: reply.reasoningTokens },
  };
}

function chatCompletion(reply: Reply) {
  const { toolCall } = reply;
  const message = toolCall
    ? { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: toolCall }] }
    : { role: "assistant", content: reply.text };
  return {
    id: "chatcmpl-1",
    object: "chat.completion",
    created: CREATED,
    model: reply.model,
    choices: [{ index: 0, message, finish_reason: toolCall ? "tool_calls" : "stop" }],
    usage: chatUsage(reply),
    ...(reply.serviceTier && { service_tier: reply.serviceTier }),
  };
}

function chatStream(res: ServerResponse, reply: Reply): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const chunk = (choices: unknown[], usage: unknown = null) => ({ id: "chatcmpl-2", object: "chat.completion.chunk", created: CREATED, model: reply.model, choices, usage });
  const delta = (content: Record<string, unknown>) => chunk([{ index: 0, delta: content, finish_reason: null }]);
  const { toolCall, stop } = reply;
  // Split mid-word, so a test can tell whether every delta reached the caller.
  const output = toolCall
    ? [
        delta({ tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: toolCall.name, arguments: "" } }] }),
        ...splitText(toolCall.arguments).map((piece) => delta({ tool_calls: [{ index: 0, function: { arguments: piece } }] })),
      ]
    : splitText(reply.text).map((piece) => delta({ content: piece }));
  const events = [delta({ role: "assistant", content: toolCall ? null : "" }), ...output, chunk([{ index: 0, delta: {}, finish_reason: toolCall ? "tool_calls" : "stop" }])];
  const usage = chunk([], chatUsage(reply));
  if (!stop) return sendEvents(res, [...events, usage].map((data) => ({ data })), { done: true });
  const sent = events.slice(0, stop.after).map((data) => ({ data }));
  sendEvents(res, sent, stop.how === "no-usage" ? { done: true } : { end: stop.how === "cut" ? "cut" : false });
}

function splitText(text: string): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += 4) pieces.push(text.slice(i, i + 4));
  return pieces;
}

function response(reply: Reply) {
  return {
    id: "resp_1",
    object: "response",
    created_at: CREATED,
    status: "completed",
    model: reply.model,
    output: [{ type: "message", id: "msg_1", status: "completed", role: "assistant", content: [{ type: "output_text", text: reply.text, annotations: [] }] }],
    incomplete_details: null,
    ...(reply.serviceTier && { service_tier: reply.serviceTier }),
    usage: {
      input_tokens: reply.promptTokens,
      input_tokens_details: { cached_tokens: reply.cachedTokens },
      output_tokens: reply.completionTokens,
      output_tokens_details: { reasoning_tokens: reply.reasoningTokens },
      total_tokens: reply.promptTokens + reply.completionTokens,
    },
  };
}
