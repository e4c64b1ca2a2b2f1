import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Accounting, nanosToUsd, type UsageInput } from "@llm-accounting/core";
import { freshSqlStores } from "@llm-accounting/storage-prisma/testing";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { apiPaths, isLoopbackHost, startMetricsServer, type MetricsServer } from "../src/index.js";
import { API_ROUTES } from "../src/api/api-routes.js";

const stores = freshSqlStores("llm-acct-api-");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const now = Date.now();
const at = (msAgo: number) => new Date(now - msAgo);
// Calls spread over 40 days (the default range is the last 30), several names per dimension.
const CALLS: (UsageInput & { timestamp: Date })[] = [
  { model: "gpt-4o", project: "support", username: "alice", callerName: "chat", serviceTier: "flex", promptTokens: 1200, cachedTokens: 400, completionTokens: 300, cost: 0.5, timestamp: at(HOUR), tags: { feature: "search", team: "search", env: "prod" } },
  { model: "gpt-4o", project: null, username: "bob", callerName: "chat", promptTokens: 10, completionTokens: 5, cost: 0.25, timestamp: at(2 * HOUR) },
  { model: "claude-sonnet", project: "support", username: "alice", callerName: "batch", serviceTier: "batch", promptTokens: 5000, completionTokens: 700, cost: 1.125, timestamp: at(2 * DAY), tags: { feature: "summarize", team: "search" } },
  { model: "gpt-4o-mini", project: "research", username: null, callerName: null, promptTokens: 80, completionTokens: 20, cost: 0.000123456, timestamp: at(3 * DAY + HOUR) },
  { model: "o3", project: "research", username: "dave", callerName: "batch", promptTokens: 300, completionTokens: 900, reasoningTokens: 600, cost: 0.2, timestamp: at(9 * DAY) },
  { model: "gpt-4o", project: "support", username: "alice", callerName: "chat", promptTokens: 7, completionTokens: 7, cost: 3, timestamp: at(40 * DAY) },
];
const TOKEN = "s3cret-token";

let accounting: Accounting;
let open: MetricsServer;
let guarded: MetricsServer;

beforeAll(async () => {
  accounting = new Accounting({ store: new SqliteStore({ file: join(stores.dir, "api.sqlite") }) });
  await accounting.trackUsageBatch(CALLS);
  // Alerts at 10 %: alice's next call (0.5 of a 1 USD rolling limit) crosses it.
  await accounting.setUsageLimit({ scope: "USER", username: "alice", model: null, callerName: null, projectName: null, limitType: "cost", maxValue: 1, intervalUnit: "hour_rolling", intervalValue: 3, alertAt: [0.1] });
  await accounting.trackUsage({ model: "gpt-4o", username: "alice", project: "support", callerName: "chat", promptTokens: 1, completionTokens: 1, cost: 0.125 });
  open = await startMetricsServer(accounting, { port: 0 });
  guarded = await startMetricsServer(accounting, { port: 0, token: TOKEN });
});
afterAll(async () => {
  await Promise.all([open?.close(), guarded?.close()]);
  await accounting?.close();
  stores.remove();
});

async function get(path: string, server = open, headers: Record<string, string> = {}): Promise<{ status: number; type: string | null; text: string; json: any }> {
  const response = await fetch(`${server.url}${path}`, { headers });
  const text = await response.text();
  return { status: response.status, type: response.headers.get("content-type"), text, json: JSON.parse(text) };
}

/** Every call recorded, the one tracked in beforeAll included, with the time it was stored. */
async function allCalls() {
  return (await accounting.tail(1000)).map((r) => ({ ...r, cost: nanosToUsd(r.costNanos) }));
}

function totals(calls: readonly { promptTokens: number; completionTokens: number; costNanos: bigint }[]) {
  const nanos = calls.reduce((sum, c) => sum + c.costNanos, 0n);
  return { requests: calls.length, promptTokens: calls.reduce((s, c) => s + c.promptTokens, 0), completionTokens: calls.reduce((s, c) => s + c.completionTokens, 0), costNanos: nanos.toString(), cost: nanosToUsd(nanos) };
}

describe("GET /api/v1 over HTTP on a real SQLite store", () => {
  it("summary: the default range is the last 30 days; filters and since/until narrow it", async () => {
    const calls = await allCalls();
    const { status, type, json } = await get("/api/v1/summary");
    expect([status, type]).toEqual([200, "application/json; charset=utf-8"]);
    const inRange = calls.filter((c) => c.timestamp.getTime() >= Date.parse(json.range.since));
    expect(json.totals).toMatchObject(totals(inRange));
    expect(Date.parse(json.range.until) - Date.parse(json.range.since)).toBe(30 * DAY);

    const alice = await get("/api/v1/summary?since=7d&user=alice&project=support");
    const aliceCalls = calls.filter((c) => c.username === "alice" && c.project === "support" && c.timestamp.getTime() >= Date.parse(alice.json.range.since));
    expect(alice.json.totals).toMatchObject(totals(aliceCalls));
    expect(alice.json.filter).toEqual({ model: null, user: "alice", project: "support", caller: null, tier: null, tags: {} });

    const batch = await get("/api/v1/summary?since=7d&tier=batch");
    expect(batch.json.totals).toMatchObject(totals(calls.filter((c) => c.serviceTier === "batch" && c.timestamp.getTime() >= Date.parse(batch.json.range.since))));
    expect(batch.json.filter.tier).toBe("batch");

    const old = await get(`/api/v1/summary?since=${new Date(now - 41 * DAY).toISOString()}&until=${new Date(now - 39 * DAY).toISOString()}`);
    expect(old.json.totals).toMatchObject(totals(calls.filter((c) => c.timestamp.getTime() < now - 39 * DAY)));
  });

  it("tag[<key>]=<value> narrows every report to the calls carrying all the tags given", async () => {
    const calls = await allCalls();
    const search = calls.filter((c) => c.tags?.team === "search");
    const summary = await get("/api/v1/summary?tag[team]=search");
    expect(summary.json.totals).toMatchObject(totals(search));
    expect(summary.json.filter.tags).toEqual({ team: "search" });
    const both = await get(`/api/v1/summary?${new URLSearchParams({ "tag[team]": "search", "tag[env]": "prod" })}`);
    expect(both.json.totals).toMatchObject(totals(search.filter((c) => c.tags?.env === "prod")));
    const byModel = await get("/api/v1/breakdown/model?tag[team]=search");
    expect(byModel.json.groups.map((g: { key: string }) => g.key).sort()).toEqual(["claude-sonnet", "gpt-4o"]);
    const daily = await get("/api/v1/cost/daily?since=5d&tag[team]=search");
    expect(daily.json.days.reduce((n: number, d: { requests: number }) => n + d.requests, 0)).toBe(2);
    const recent = await get("/api/v1/recent?tag[env]=prod");
    expect(recent.json.calls.map((c: { tags: unknown }) => c.tags)).toEqual([{ env: "prod", feature: "search", team: "search" }]);
    const bad = await get("/api/v1/summary?tag[bad key]=x");
    expect([bad.status, bad.json.parameter, bad.json.reason]).toEqual([400, "tag[bad key]", `key must be 1-64 letters, digits, '_', '.' or '-' (got "bad key")`]);
    expect((await get(`/api/v1/summary?tag[k]=${"x".repeat(257)}`)).status).toBe(400);
    expect((await get("/api/v1/limits?tag[team]=search")).status).toBe(400);
  });

  it("cost/daily: one entry per UTC day of the range, empty days included, summing to the summary", async () => {
    const calls = await allCalls();
    const first = new Date(now - 10 * DAY).toISOString().slice(0, 10);
    const { json } = await get(`/api/v1/cost/daily?since=${first}&model=gpt-4o`);
    const days = json.days as { day: string; requests: number; costNanos: string }[];
    expect(days[0]!.day).toBe(first);
    expect(days.map((d) => d.day)).toEqual([...new Set(days.map((d) => d.day))]);
    expect(days.length).toBeGreaterThanOrEqual(11);
    for (const day of days) expect(day).toMatchObject(totals(calls.filter((c) => c.model === "gpt-4o" && c.timestamp.toISOString().slice(0, 10) === day.day)));
    const summary = await get(`/api/v1/summary?since=${first}&until=${encodeURIComponent(json.range.until)}&model=gpt-4o`);
    expect(days.reduce((s, d) => s + BigInt(d.costNanos), 0n).toString()).toBe(summary.json.totals.costNanos);
  });

  it("breakdown/{dimension}: totals per value (null: none), costliest first", async () => {
    const calls = (await allCalls()).filter((c) => c.timestamp.getTime() >= now - 30 * DAY);
    for (const [by, field] of [["model", "model"], ["user", "username"], ["project", "project"], ["caller", "callerName"], ["service-tier", "serviceTier"]] as const) {
      const { json } = await get(`/api/v1/breakdown/${by}`);
      expect(json.by).toBe(by);
      const keys = [...new Set(calls.map((c) => c[field] ?? null))];
      expect(json.groups.map((g: { key: string | null }) => g.key).sort()).toEqual(keys.sort());
      for (const group of json.groups) expect(group).toMatchObject({ key: group.key, ...totals(calls.filter((c) => (c[field] ?? null) === group.key)) });
      const costs = json.groups.map((g: { cost: number }) => g.cost);
      expect(costs).toEqual([...costs].sort((a, b) => b - a));
    }
  });

  it("breakdown/tag?key=: totals per value of a tag key (null: untagged), costliest first, filters applied", async () => {
    const calls = (await allCalls()).filter((c) => c.timestamp.getTime() >= now - 30 * DAY);
    const { status, json } = await get("/api/v1/breakdown/tag?key=feature");
    expect([status, json.by]).toEqual([200, "tag:feature"]);
    expect(json.groups.map((g: { key: string | null }) => g.key).sort()).toEqual([null, "search", "summarize"].sort());
    const costs = json.groups.map((g: { cost: number }) => g.cost);
    expect(costs).toEqual([...costs].sort((a, b) => b - a));
    for (const group of json.groups) expect(group).toMatchObject(totals(calls.filter((c) => (c.tags?.feature ?? null) === group.key)));
    const alice = await get("/api/v1/breakdown/tag?key=feature&user=alice&model=gpt-4o");
    expect(alice.json.groups).toEqual([expect.objectContaining({ key: "search", ...totals(calls.filter((c) => c.username === "alice" && c.model === "gpt-4o" && c.tags?.feature === "search")) }), expect.objectContaining({ key: null })]);
    for (const query of ["", "?key=", "?key=no%20spaces"]) expect([query, (await get(`/api/v1/breakdown/tag${query}`)).json.parameter]).toEqual([query, "key"]);
  });

  it("staticFiles: served without the token on paths the API does not own; /api/v1 and /metrics keep theirs", async () => {
    const page = { status: 200, contentType: "text/html; charset=utf-8", body: "<p>page</p>", headers: { "x-content-type-options": "nosniff" } };
    const withFiles = await startMetricsServer(accounting, { port: 0, token: TOKEN, staticFiles: (path) => (path === "/" || path === "/metrics" || path.startsWith("/api/") ? page : undefined) });
    try {
      const root = await fetch(`${withFiles.url}/`);
      expect([root.status, root.headers.get("content-type"), root.headers.get("x-content-type-options"), await root.text()]).toEqual([200, page.contentType, "nosniff", page.body]);
      expect((await fetch(`${withFiles.url}/`, { method: "HEAD" })).status).toBe(200);
      expect((await fetch(`${withFiles.url}/`, { method: "POST" })).status).toBe(405);
      expect((await fetch(`${withFiles.url}/other`)).status).toBe(404);
      expect((await fetch(`${withFiles.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${withFiles.url}/api/v1/summary`)).status).toBe(401);
    } finally {
      await withFiles.close();
    }
  });

  it("recent: the newest calls first, as tail --format json writes them", async () => {
    const newest = (await allCalls()).slice(0, 3);
    const { json } = await get("/api/v1/recent?limit=3");
    expect(json.calls.map((c: { id: number }) => c.id)).toEqual(newest.map((c) => c.id));
    expect(json.calls[0]).toMatchObject({ model: newest[0]!.model, timestamp: newest[0]!.timestamp.toISOString(), costNanos: newest[0]!.costNanos.toString() });
    const bob = await get("/api/v1/recent?user=bob");
    expect(bob.json.calls.map((c: { username: string }) => c.username)).toEqual(["bob"]);
  });

  it("limits: usage in the window, what is left, and the forecast; alerts: the crossing raised", async () => {
    const [status] = await accounting.getLimitStatus();
    const windowCalls = (await allCalls()).filter((c) => c.username === "alice" && c.timestamp.getTime() > now - 3 * HOUR);
    const used = nanosToUsd(windowCalls.reduce((s, c) => s + c.costNanos, 0n));
    const { json } = await get("/api/v1/limits");
    expect(json.limits).toHaveLength(1);
    expect(json.limits[0]).toMatchObject({ id: status!.limit.id, scope: "USER", limitType: "cost", maxValue: 1, user: "alice", interval: { unit: "hour_rolling", value: 3 } });
    expect(json.limits[0].usedRatio).toBeCloseTo(used, 9);
    expect(json.limits[0].used).toBeCloseTo(used, 9);
    expect(json.limits[0].remaining).toBeCloseTo(1 - used, 9);
    expect(json.limits[0].forecast).toMatchObject({ burnRatePerHour: expect.any(Number), projectedUsage: expect.any(Number) });

    const alerts = await get("/api/v1/alerts");
    expect(alerts.json.alerts.map((a: { limitId: number; threshold: number }) => [a.limitId, a.threshold])).toEqual([[status!.limit.id, 0.1]]);
    expect((await get("/api/v1/alerts?state=delivered")).json.alerts).toEqual([]);
  });

  it("limits: a TAG limit carries its tag, with the documented fields; other limits have tag null", async () => {
    const tagged = await accounting.setUsageLimit({ scope: "TAG", tag: { key: "tenant", value: "acme" }, model: null, username: null, callerName: null, projectName: null, limitType: "requests", maxValue: 5, intervalUnit: "day", intervalValue: 1 });
    try {
      await accounting.trackUsage({ model: "gpt-4o", cost: 0, tags: { tenant: "acme" } });
      const { json } = await get("/api/v1/limits");
      const spec = JSON.parse(readFileSync(new URL("../../../docs/openapi.json", import.meta.url), "utf8"));
      const documented = [...spec.components.schemas.Limits.properties.limits.items.required].sort();
      for (const limit of json.limits) expect(Object.keys(limit).sort()).toEqual(documented);
      expect(json.limits.find((l: any) => l.id === tagged.id)).toMatchObject({ scope: "TAG", tag: { key: "tenant", value: "acme" }, used: 1, remaining: 4 });
      expect(json.limits.filter((l: any) => l.id !== tagged.id).map((l: any) => l.tag)).toEqual([null]);
    } finally {
      await accounting.deleteUsageLimit(tagged.id);
    }
  });
  it("a bad query parameter is a 400 with one JSON line naming it", async () => {
    for (const [query, parameter] of [
      ["/summary?since=last-tuesday", "since"],
      ["/summary?since=2d&until=3d", "until"],
      ["/summary?users=alice", "users"],
      ["/summary?model=", "model"],
      ["/summary?model=a&model=b", "model"],
      ["/summary?timezone=Mars/Olympus", "timezone"],
      ["/recent?limit=0", "limit"],
      ["/alerts?state=lost", "state"],
      ["/cost/daily?since=2000-01-01", "since"],
      ["/limits?since=1d", "since"],
    ] as const) {
      const { status, text, json } = await get(`/api/v1${query}`);
      expect([query, status, json.error, json.parameter]).toEqual([query, 400, "bad_parameter", parameter]);
      expect(text.trimEnd().split("\n")).toHaveLength(1);
    }
    expect((await get("/api/v1/nothing")).status).toBe(404);
  });

  it("with a token: /api/v1 and /metrics need it as a bearer token, /healthz does not", async () => {
    const missing = await get("/api/v1/summary", guarded);
    expect([missing.status, missing.json.error]).toEqual([401, "unauthorized"]);
    expect((await get("/api/v1/summary", guarded, { authorization: "Bearer wrong" })).status).toBe(401);
    expect((await get("/api/v1/summary", guarded, { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await fetch(`${guarded.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${guarded.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await fetch(`${guarded.url}/healthz`)).status).toBe(200);
  });

  it("docs/openapi.json documents exactly the served paths, and their answers have the documented top-level fields", async () => {
    const spec = JSON.parse(readFileSync(new URL("../../../docs/openapi.json", import.meta.url), "utf8"));
    expect(spec.openapi).toMatch(/^3\.1\./);
    const served: string[] = [];
    for (const [path, item] of Object.entries<any>(spec.paths)) {
      const parameters = [...(item.parameters ?? []), ...(item.get.parameters ?? [])].map((p: any) => (p.$ref ? spec.components.parameters[p.$ref.split("/").pop()] : p));
      const inPath = parameters.find((p: any) => p.in === "path");
      // Required query parameters are sent with their documented example.
      const query = new URLSearchParams(parameters.filter((p: any) => p.in === "query" && p.required).map((p: any): [string, string] => [p.name, p.example]));
      for (const concrete of inPath ? inPath.schema.enum.map((v: string) => path.replace(`{${inPath.name}}`, v)) : [path]) {
        served.push(concrete);
        const { status, json } = await get(query.size ? `${concrete}?${query}` : concrete);
        expect([concrete, status]).toEqual([concrete, 200]);
        const ref: string = item.get.responses["200"].content["application/json"].schema.$ref;
        const schema = spec.components.schemas[ref.split("/").pop()!];
        expect([concrete, Object.keys(json).sort()]).toEqual([concrete, [...schema.required].sort()]);
        for (const name of schema.required) expect(schema.properties[name], `${ref}.${name}`).toBeDefined();
      }
    }
    expect(served.sort()).toEqual(apiPaths().sort());
    // Each documented path names exactly the query parameters its route accepts.
    for (const [path, item] of Object.entries<any>(spec.paths)) {
      const names = item.get.parameters.map((p: any) => (p.$ref ? spec.components.parameters[p.$ref.split("/").pop()] : p)).filter((p: any) => p.in === "query").map((p: any) => (p.style === "deepObject" ? `${p.name}[<key>]` : p.name));
      expect([path, names.sort()]).toEqual([path, [...API_ROUTES[path.replace("/api/v1", "").replace("{dimension}", "model")]!.parameters].sort()]);
    }
  });

  it("isLoopbackHost: only 127.0.0.0/8, ::1 and localhost keep the server to this machine", () => {
    expect(["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "::ffff:127.0.0.1"].filter(isLoopbackHost)).toHaveLength(6);
    expect(["0.0.0.0", "::", "192.168.1.4", "10.0.0.1", "example.com", "128.0.0.1"].some(isLoopbackHost)).toBe(false);
  });
});
