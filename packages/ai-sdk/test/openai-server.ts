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
  /** Answer a (non-streaming) chat completion with this tool call instead of the text. */
  readonly toolCall?: { readonly name: string; readonly arguments: string };
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
  };
}

function chatStream(res: ServerResponse, reply: Reply): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const chunk = (choices: unknown[], usage: unknown = null) => ({ id: "chatcmpl-2", object: "chat.completion.chunk", created: CREATED, model: reply.model, choices, usage });
  const events = [
    chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]),
    // Split mid-word, so a test can tell whether every delta reached the caller.
    ...splitText(reply.text).map((piece) => chunk([{ index: 0, delta: { content: piece }, finish_reason: null }])),
    chunk([{ index: 0, delta: {}, finish_reason: "stop" }]),
    chunk([], chatUsage(reply)),
  ];
  sendEvents(res, events.map((data) => ({ data })), { done: true });
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
    usage: {
      input_tokens: reply.promptTokens,
      input_tokens_details: { cached_tokens: reply.cachedTokens },
      output_tokens: reply.completionTokens,
      output_tokens_details: { reasoning_tokens: reply.reasoningTokens },
      total_tokens: reply.promptTokens + reply.completionTokens,
    },
  };
}
