import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A request a fake server received: its path and its JSON body (`{}` when empty). */
export interface ReceivedRequest {
  readonly path: string;
  readonly body: Record<string, unknown>;
}

/** Answers one request; it may leave the response open (for a stream the client has to close). */
export type FakeHandler = (request: ReceivedRequest, res: ServerResponse) => void;

/** A local HTTP server standing in for a provider's API, for the real SDK client. */
export interface FakeServer {
  /** `http://127.0.0.1:<port>` followed by the `basePath` it was started with. */
  readonly baseURL: string;
  /** Every request received, first one first. */
  readonly requests: ReceivedRequest[];
  /** How many responses the client closed before the handler ended them (an abort or an early stop). */
  readonly closedByClient: () => number;
  /** Stops the server; resolves once it is closed. */
  close(): Promise<void>;
}

/** Starts a fake server on a free port of 127.0.0.1 that records each request and hands it to `handle`. */
export async function startFakeServer(handle: FakeHandler, options: { readonly basePath?: string } = {}): Promise<FakeServer> {
  const requests: ReceivedRequest[] = [];
  let closedByClient = 0;
  const server = createServer((req, res) => {
    res.on("close", () => {
      if (!res.writableEnded) closedByClient++;
    });
    void readJson(req)
      .then((body) => {
        const request = { path: req.url ?? "", body };
        requests.push(request);
        handle(request, res);
      })
      .catch((error: unknown) => {
        // A handler bug shows up as a 500 the test can see, not as an unhandled rejection.
        if (res.headersSent) res.destroy(error instanceof Error ? error : new Error(String(error)));
        else sendJson(res, 500, { error: { message: `fake server failed: ${String(error)}` } });
      });
  });
  // Node closes a keep-alive socket idle for 5 s; a client reusing it at that instant gets a reset
  // (an APIConnectionError in a loaded CI run). Idle sockets stay open here until `close`.
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}${options.basePath ?? ""}`,
    requests,
    closedByClient: () => closedByClient,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** Reads a request's body as a JSON object; an empty body reads as `{}`. */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
}

/** Answers with `status` and `body` as JSON, plus any extra `headers`. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/** One server-sent event: `data` is sent as JSON, after an `event:` line when `event` is given. */
export interface ServerSentEvent {
  readonly event?: string;
  readonly data: unknown;
}

/** How `sendEvents` finishes. */
export interface SendEventsOptions {
  /** Send `data: [DONE]` after the events (OpenAI's terminator). Default false. */
  readonly done?: boolean;
  /**
   * How the response ends after the events: true ends it; false leaves it open until the client
   * closes it; "cut" destroys the connection once the events are flushed (a connection failing
   * mid-stream, without the chunked terminator). Default true.
   */
  readonly end?: boolean | "cut";
}

/** Writes `events` as a `text/event-stream` (the 200 head first, unless already sent), then ends the response as `options.end` says. */
export function sendEvents(res: ServerResponse, events: readonly ServerSentEvent[], options: SendEventsOptions = {}): void {
  if (!res.headersSent) res.writeHead(200, { "content-type": "text/event-stream" });
  const text = events.map(({ event, data }) => `${event === undefined ? "" : `event: ${event}\n`}data: ${JSON.stringify(data)}\n\n`).join("");
  const end = options.end ?? true;
  // The events go out before the connection is destroyed: the client must see them, then the failure.
  res.write(`${text}${options.done ? "data: [DONE]\n\n" : ""}`, () => {
    if (end === "cut") res.destroy();
  });
  if (end === true) res.end();
}
