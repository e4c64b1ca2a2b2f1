import { Agent, get } from "node:http";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Accounting, nanosToUsd, usdToNanos, type UsageInput, type UsageStore } from "@llm-accounting/core";
import { freshSqlStores } from "@llm-accounting/storage-prisma/testing";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { startMetricsServer } from "../src/index.js";
import { parsePrometheusText, valueOf, type Sample } from "./prometheus-text.js";

const stores = freshSqlStores("llm-acct-prom-");
afterAll(() => stores.remove());

const DAY = 86_400_000;
const ago = (ms: number) => new Date(Date.now() - ms);
// Calls of several models, projects, users and callers; older ones are summed from whole-day rollups.
const CALLS: UsageInput[] = [
  { model: "gpt-4o", project: "support", username: "alice", callerName: "chat", promptTokens: 1200, cachedTokens: 400, completionTokens: 300, reasoningTokens: 50, cost: 0.5 },
  { model: "gpt-4o", project: null, username: "bob", callerName: "chat", promptTokens: 10, completionTokens: 5, cost: 0.25 },
  { model: 'claude "sonnet"\\4', project: "support", username: "alice", callerName: "batch", promptTokens: 5000, completionTokens: 700, cost: 1.125, timestamp: ago(2 * DAY) },
  { model: "gpt-4o-mini", project: "research", username: null, callerName: null, promptTokens: 80, completionTokens: 20, cost: 0.000123456, timestamp: ago(3 * DAY) },
  // Stamped by a host whose clock runs two days ahead: still a recorded call.
  { model: "o3", project: "research", username: "dave", callerName: "batch", promptTokens: 300, completionTokens: 900, reasoningTokens: 600, cost: 0.2, timestamp: ago(-2 * DAY) },
];

/** Totals per value of one field, from the calls themselves (what the scrape must show). */
function expectedBy(calls: readonly UsageInput[], field: "model" | "project" | "username" | "callerName") {
  const sums = new Map<string, { requests: number; input: number; output: number; cacheRead: number; reasoning: number; nanos: bigint }>();
  for (const call of calls) {
    const key = (call[field] as string | null | undefined) ?? "";
    const sum = sums.get(key) ?? { requests: 0, input: 0, output: 0, cacheRead: 0, reasoning: 0, nanos: 0n };
    sum.requests++;
    sum.input += call.promptTokens ?? 0;
    sum.output += call.completionTokens ?? 0;
    sum.cacheRead += call.cachedTokens ?? 0;
    sum.reasoning += call.reasoningTokens ?? 0;
    sum.nanos += usdToNanos(call.cost!);
    sums.set(key, sum);
  }
  return sums;
}

function checkUsage(samples: readonly Sample[], calls: readonly UsageInput[], field: "model" | "project" | "username" | "callerName", label: string) {
  const expected = expectedBy(calls, field);
  expect(samples.filter((s) => s.name === `llm_accounting_${label}_requests_total`).map((s) => s.labels[label]).sort()).toEqual([...expected.keys()].sort());
  for (const [key, sum] of expected) {
    const at = { [label]: key };
    expect(valueOf(samples, `llm_accounting_${label}_requests_total`, at)).toBe(sum.requests);
    expect(valueOf(samples, `llm_accounting_${label}_tokens_total`, { ...at, kind: "input" })).toBe(sum.input);
    expect(valueOf(samples, `llm_accounting_${label}_tokens_total`, { ...at, kind: "output" })).toBe(sum.output);
    expect(valueOf(samples, `llm_accounting_${label}_tokens_total`, { ...at, kind: "cache_read" })).toBe(sum.cacheRead);
    expect(valueOf(samples, `llm_accounting_${label}_tokens_total`, { ...at, kind: "reasoning" })).toBe(sum.reasoning);
    expect(valueOf(samples, `llm_accounting_${label}_cost_usd_total`, at)).toBeCloseTo(nanosToUsd(sum.nanos), 12);
  }
}

async function scrape(url: string): Promise<{ status: number; type: string | null; samples: Sample[]; types: Map<string, string> }> {
  const response = await fetch(`${url}/metrics`);
  const text = await response.text();
  return { status: response.status, type: response.headers.get("content-type"), ...parsePrometheusText(text) };
}

describe.each(["sqlite", "postgresql"] as const)("GET /metrics on a real %s store", (backend) => {
  it("counts every call since the first (from any writer), per model and project (user and caller opt-in), with a gauge set per limit", async () => {
    const file = join(stores.dir, "scrape.sqlite");
    const store: UsageStore = backend === "sqlite" ? new SqliteStore({ file }) : await stores.open.postgresql();
    const accounting = new Accounting({ store });
    for (const call of CALLS.slice(0, 2)) await accounting.trackUsage(call);
    await accounting.trackUsageBatch(CALLS.slice(2));
    await accounting.setUsageLimit({ scope: "USER", username: "alice", model: null, callerName: null, projectName: null, limitType: "cost", maxValue: 2, intervalUnit: "day", intervalValue: 1 });
    await accounting.setUsageLimit({ scope: "GLOBAL", username: null, model: null, callerName: null, projectName: null, limitType: "requests", maxValue: -1, intervalUnit: "hour_rolling", intervalValue: 3 });
    await accounting.setUsageLimit({ scope: "MODEL", username: null, model: "gpt-4o", callerName: null, projectName: null, limitType: "total_tokens", maxValue: 0, intervalUnit: "week", intervalValue: 1 });
    const server = await startMetricsServer(accounting, { port: 0, perUser: true });
    try {
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
      const first = await scrape(server.url);
      expect(first.status).toBe(200);
      expect(first.type).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(first.types.get("llm_accounting_model_requests_total")).toBe("counter");
      expect(first.types.get("llm_accounting_limit_used_ratio")).toBe("gauge");
      checkUsage(first.samples, CALLS, "model", "model");
      checkUsage(first.samples, CALLS, "project", "project");
      checkUsage(first.samples, CALLS, "username", "user");
      expect(first.samples.some((s) => s.name.startsWith("llm_accounting_caller_"))).toBe(false);

      // alice's cost today: only the calls of the current day count in a day window.
      const aliceToday = CALLS.filter((c) => c.username === "alice" && !c.timestamp).reduce((sum, c) => sum + c.cost!, 0);
      const alice = { scope: "USER", type: "cost", user: "alice", interval_unit: "day", interval_value: "1" };
      expect(valueOf(first.samples, "llm_accounting_limit_used", alice)).toBeCloseTo(aliceToday, 9);
      expect(valueOf(first.samples, "llm_accounting_limit_max", alice)).toBe(2);
      expect(valueOf(first.samples, "llm_accounting_limit_remaining", alice)).toBeCloseTo(2 - aliceToday, 9);
      expect(valueOf(first.samples, "llm_accounting_limit_used_ratio", alice)).toBeCloseTo(aliceToday / 2, 9);
      const unlimited = { scope: "GLOBAL", type: "requests" };
      expect(valueOf(first.samples, "llm_accounting_limit_used", unlimited)).toBe(2);
      expect(valueOf(first.samples, "llm_accounting_limit_max", unlimited)).toBe(Infinity);
      expect(valueOf(first.samples, "llm_accounting_limit_remaining", unlimited)).toBe(Infinity);
      expect(valueOf(first.samples, "llm_accounting_limit_used_ratio", { scope: "MODEL", model: "gpt-4o" })).toBe(1);

      // Another writer (a second facade on the same store, as another process would be) is seen at the next scrape.
      const other = backend === "sqlite" ? new Accounting({ store: new SqliteStore({ file }) }) : accounting;
      const later: UsageInput = { model: "gpt-4o", project: "support", username: "carol", promptTokens: 7, completionTokens: 3, cost: 0.01 };
      await other.trackUsage(later);
      if (other !== accounting) await other.close();
      const second = await scrape(server.url);
      checkUsage(second.samples, [...CALLS, later], "model", "model");
      checkUsage(second.samples, [...CALLS, later], "project", "project");
      expect(valueOf(second.samples, "llm_accounting_model_requests_total", { model: "gpt-4o" })).toBeGreaterThan(valueOf(first.samples, "llm_accounting_model_requests_total", { model: "gpt-4o" }));

      const health = await fetch(`${server.url}/healthz`);
      expect([health.status, await health.text()]).toEqual([200, "ok\n"]);
      expect((await fetch(`${server.url}/nothing`)).status).toBe(404);
      expect((await fetch(`${server.url}/metrics`, { method: "POST" })).status).toBe(405);
    } finally {
      await server.close();
      await accounting.close();
    }
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});

describe("the metrics server's connections", () => {
  it("keeps an idle connection open past Node's 5 s default, so a scraper reusing it is answered", async () => {
    const store = await stores.open.sqlite();
    const accounting = new Accounting({ store });
    const server = await startMetricsServer(accounting, { port: 0 });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const healthz = () =>
      new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
        const req = get(`${server.url}/healthz`, { agent }, (res) => {
          res.resume();
          res.on("end", () => resolve({ status: res.statusCode!, reused: req.reusedSocket }));
        });
        req.on("error", reject);
      });
    try {
      expect(await healthz()).toEqual({ status: 200, reused: false });
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      expect(await healthz()).toEqual({ status: 200, reused: true });
    } finally {
      agent.destroy();
      await server.close();
      await accounting.close();
    }
  });
});
