import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import { afterAll, describe, expect, it } from "vitest";
import { Accounting } from "@llm-accounting/core";
import { tracked } from "@llm-accounting/sdk-kit";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { expressUsageContext, fastifyUsageContext, fetchUsageContext, honoUsageContext } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-http-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The work of one route: awaits, then two tracked calls (one through the facade, one through a `tracked` function). */
function routeWork(accounting: Accounting) {
  const ask = tracked(async (prompt: string) => ({ text: prompt, tokens: prompt.length }), { accounting, model: "m-tracked", usage: (r) => ({ promptTokens: r.tokens, cost: 0 }) });
  const handle = async (prompt: string) => {
    await pause(10);
    await accounting.trackUsage({ model: "m-facade", promptTokens: 1, cost: 0 });
    await pause(5);
    return ask(prompt);
  };
  return { handle, flush: () => ask.flush() };
}

/** A running server: its base URL and how to stop it. */
interface Served {
  readonly url: string;
  close(): Promise<void>;
}

function serveFetch(fetch: (request: Request) => Response | Promise<Response>): Promise<Served> {
  return new Promise((resolve) => {
    const server = serve({ fetch, port: 0, hostname: "127.0.0.1" }, (info) => resolve({ url: `http://127.0.0.1:${info.port}`, close: () => new Promise((done) => server.close(() => done())) }));
  });
}

const frameworks: Record<string, (handle: (prompt: string) => Promise<unknown>) => Promise<Served>> = {
  async express(handle) {
    const app = express();
    app.use(expressUsageContext());
    // The body parser after the middleware: the handler runs from the body's stream events.
    app.use(express.json());
    app.post("/ask", async (req, res) => {
      res.json(await handle((req.body as { prompt: string }).prompt));
    });
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((done) => server.close(() => done())) };
  },
  async fastify(handle) {
    const app = Fastify();
    await app.register(fastifyUsageContext());
    app.post("/ask", async (request) => handle((request.body as { prompt: string }).prompt));
    const address = await app.listen({ port: 0, host: "127.0.0.1" });
    return { url: address, close: () => app.close() };
  },
  async hono(handle) {
    const app = new Hono();
    app.use(honoUsageContext());
    app.post("/ask", async (c) => c.json(await handle(((await c.req.json()) as { prompt: string }).prompt)));
    return serveFetch(app.fetch);
  },
  async fetch(handle) {
    return serveFetch(fetchUsageContext(async (request) => Response.json(await handle(((await request.json()) as { prompt: string }).prompt))));
  },
};

/** Posts `{ prompt }`, its body in two chunks 20 ms apart: the server reads it from later socket events than the headers. */
function post(url: string, prompt: string, headers: Record<string, string>): Promise<Response> {
  const json = JSON.stringify({ prompt });
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(new TextEncoder().encode(json.slice(0, 5)));
      await pause(20);
      controller.enqueue(new TextEncoder().encode(json.slice(5)));
      controller.close();
    },
  });
  return fetch(`${url}/ask`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body, duplex: "half" } as RequestInit);
}

describe.each(Object.keys(frameworks))("%s over HTTP, on a real SQLite store", (framework) => {
  it("records every call of a request under its x-user-id and x-session-id, concurrent requests kept apart", async () => {
    const accounting = new Accounting({ store: new SqliteStore({ file: join(dir, `${framework}.sqlite`) }) });
    const work = routeWork(accounting);
    const server = await frameworks[framework]!(work.handle);
    try {
      const responses = await Promise.all([
        post(server.url, "from alice", { "x-user-id": "alice", "x-session-id": "s-1" }),
        post(server.url, "from bob!", { "x-user-id": "bob", "x-session-id": "s-2" }),
        post(server.url, "anonymous", {}),
      ]);
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
      expect(await responses[0]!.json()).toEqual({ text: "from alice", tokens: 10 });
      await work.flush();
      const rows = (await accounting.tail(10)).map((r) => `${r.model} ${r.promptTokens} ${r.username} ${r.session}`).sort();
      expect(rows).toEqual(["m-facade 1 alice s-1", "m-facade 1 bob s-2", "m-facade 1 null null", "m-tracked 10 alice s-1", "m-tracked 9 bob s-2", "m-tracked 9 null null"]);
    } finally {
      await server.close();
      await accounting.close();
    }
  });
});

describe("a context function", () => {
  it("names the project and caller (async, from the request), and its failure fails the request, not the process", async () => {
    const accounting = new Accounting({ store: new SqliteStore({ file: join(dir, "context.sqlite") }) });
    const work = routeWork(accounting);
    const teams: Record<string, string> = { "key-1": "team-a" };
    const app = express();
    app.use(
      expressUsageContext<express.Request>({
        context: async (req) => {
          await pause(1); // e.g. an API-key lookup
          const team = teams[req.get("x-api-key") ?? ""];
          if (!team) throw new Error("unknown API key");
          return { username: team, project: "public-api", callerName: "ask-route" };
        },
      }),
    );
    app.use(express.json());
    app.post("/ask", async (req, res) => {
      res.json(await work.handle((req.body as { prompt: string }).prompt));
    });
    app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(401).send(error.message);
    });
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await post(url, "hi", { "x-api-key": "key-1" })).status).toBe(200);
      const refused = await post(url, "hi", { "x-api-key": "stolen" });
      expect([refused.status, await refused.text()]).toEqual([401, "unknown API key"]);
      await work.flush();
      const rows = await accounting.tail(10);
      expect(rows.map((r) => `${r.model} ${r.username} ${r.project} ${r.callerName}`).sort()).toEqual(["m-facade team-a public-api ask-route", "m-tracked team-a public-api ask-route"]);
    } finally {
      await new Promise((done) => server.close(done));
      await accounting.close();
    }
  });

  it("is refused when it is not a function, with one line naming the option", () => {
    expect(() => honoUsageContext({ context: "x-user-id" as never })).toThrow("context must be a function of the request (got string)");
  });
});
