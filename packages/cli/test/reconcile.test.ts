import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Accounting } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { cli } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-reconcile-"));
const fixture = (name: string) => join(import.meta.dirname, "fixtures", "reconcile", name);
const NOW = new Date("2025-06-10T12:00:00.000Z");
const file = join(dir, "ledger.sqlite");
const db = ["--db-file", file];

interface Figure {
  day: string;
  model: string;
  project?: string | null;
  measure: string;
  ours: number;
  theirs: number;
  difference: number;
  share: number | null;
  beyondTolerance: boolean;
  oursNanos?: string;
  converted?: { ours: string; theirs: string; difference: string };
}
const figures = (stdout: string) => (JSON.parse(stdout) as { figures: Figure[] }).figures;
const brief = (f: Figure) => [f.day, f.model, f.measure, f.ours, f.theirs, f.beyondTolerance];

beforeAll(async () => {
  const accounting = new Accounting({ store: new SqliteStore({ file, writerThread: false }) });
  await accounting.trackUsageBatch([
    { model: "gpt-4o-2024-08-06", cost: 0.3, promptTokens: 1000, cachedTokens: 200, completionTokens: 100, project: "support", timestamp: "2025-06-01T09:00:00Z" },
    { model: "gpt-4o", cost: 0.2, promptTokens: 500, completionTokens: 50, project: "search", timestamp: "2025-06-01T23:59:59.999Z" },
    { model: "gpt-4o-mini", cost: 0.05, promptTokens: 100, completionTokens: 10, timestamp: "2025-06-01T12:00:00Z" },
    { model: "claude-sonnet-4-5", cost: 1, promptTokens: 1000, cachedTokens: 200, cacheWriteTokens: 100, completionTokens: 50, timestamp: "2025-06-01T12:00:00Z", tags: { key: "apikey_01" } },
    { model: "gpt-4o-2024-08-06", cost: 0.5, promptTokens: 2000, completionTokens: 300, project: "support", timestamp: "2025-06-02T00:00:00Z" },
  ]);
  await accounting.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("reconcile with the providers' JSON files", () => {
  it("compares OpenAI costs per UTC day and model, line items folded into their model, and exits 4 beyond 2%", async () => {
    const run = await cli([...db, "reconcile", "--openai-costs", fixture("openai-costs.json"), "--format", "json"], { now: NOW });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(4);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ provider: "openai", since: "2025-06-01", until: "2025-06-02", by: "model", tolerancePercent: 2, beyondTolerance: 2 });
    // The Claude call in the same ledger is not OpenAI's: left out, not "ours only".
    expect(report.figures.map(brief)).toEqual([
      ["2025-06-01", "gpt-4o", "cost", 0.5, 0.5, false],
      ["2025-06-01", "gpt-4o-mini", "cost", 0.05, 0.05, false],
      ["2025-06-01", "web search tool calls", "cost", 0, 0.01, true],
      ["2025-06-02", "gpt-4o", "cost", 0.5, 0.525, true],
    ]);
    const day2 = report.figures[3] as Figure;
    expect(day2).toMatchObject({ oursNanos: "500000000", theirsNanos: "525000000", differenceNanos: "-25000000", share: -0.047619 });
    expect(report.figures[2].share).toBe(-1);
    expect(report.totals).toEqual([expect.objectContaining({ measure: "cost", oursNanos: "1050000000", theirsNanos: "1085000000", beyondTolerance: true })]);
  });

  it("passes within --tolerance and --min-difference (exit 0), and prints a table", async () => {
    const run = await cli([...db, "reconcile", "--openai-costs", fixture("openai-costs.json"), "--tolerance", "5%", "--min-difference", "0.01"], { now: NOW });
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toContain("=== Reconciliation with OpenAI (2025-06-01 to 2025-06-02 UTC, tolerance 5%)");
    expect(run.stdout).toMatch(/2025-06-02\s*│?\s*gpt-4o\s*│?\s*cost\s*│?\s*\$0\.5000\s*│?\s*\$0\.5250\s*│?\s*-\$0\.0250\s*│?\s*-4\.8%\s*│?\s*ok/);
    expect(run.stdout).toContain("All 4 figures are within 5% of OpenAI's.");
    const strict = await cli([...db, "reconcile", "--openai-costs", fixture("openai-costs.json"), "--tolerance", "4.7"], { now: NOW });
    expect(strict.code).toBe(4);
    expect(strict.stdout).toContain("2 of 4 figures differ from OpenAI's by more than 4.7% (exit code 4).");
  });

  it("compares OpenAI usage: requests and tokens by kind", async () => {
    const run = await cli([...db, "reconcile", "--openai-usage", fixture("openai-usage.json"), "--format", "json"], { now: NOW });
    expect(run.code).toBe(4);
    expect(figures(run.stdout).filter((f) => f.beyondTolerance).map(brief)).toEqual([["2025-06-02", "gpt-4o", "outputTokens", 300, 310, true]]);
    expect(figures(run.stdout).filter((f) => f.model === "gpt-4o" && f.day === "2025-06-01").map((f) => [f.measure, f.ours, f.theirs])).toEqual([
      ["requests", 2, 2],
      ["inputTokens", 1500, 1500],
      ["cacheReadTokens", 200, 200],
      ["outputTokens", 150, 150],
    ]);
  });

  it("compares Anthropic's usage report (cache writes inside input) and cost report (cents) together", async () => {
    const run = await cli([...db, "reconcile", "--anthropic-usage", fixture("anthropic-usage.json"), "--anthropic-costs", fixture("anthropic-costs.json"), "--format", "json"], { now: NOW });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(4);
    expect(figures(run.stdout).map(brief)).toEqual([
      ["2025-06-01", "(web_search)", "cost", 0, 0.01, true],
      ["2025-06-01", "claude-sonnet-4-5", "cost", 1, 1, false],
      ["2025-06-01", "claude-sonnet-4-5", "inputTokens", 1000, 1000, false],
      ["2025-06-01", "claude-sonnet-4-5", "cacheReadTokens", 200, 200, false],
      ["2025-06-01", "claude-sonnet-4-5", "outputTokens", 50, 50, false],
    ]);
    const exact = await cli([...db, "reconcile", "--anthropic-usage", fixture("anthropic-usage.json"), "--exact-models", "--format", "json"], { now: NOW });
    // Matched by the exact name, the dated snapshot and the alias are two models.
    expect(figures(exact.stdout).filter((f) => f.measure === "outputTokens").map((f) => [f.model, f.ours, f.theirs, f.share])).toEqual([
      ["claude-sonnet-4-5", 50, 0, null],
      ["claude-sonnet-4-5-20250929", 0, 50, -1],
    ]);
  });

  it("matches by project, with the provider's ids mapped to the ledger's names", async () => {
    const pages = JSON.parse(readFileSync(fixture("openai-costs.json"), "utf8"));
    const byProject = join(dir, "by-project.json");
    // Two pages saved one after the other: an array of pages.
    const first = { ...pages, data: [pages.data[0]], has_more: true, next_page: "page_2" };
    first.data[0].results = [
      { object: "organization.costs.result", amount: { value: 0.3, currency: "usd" }, line_item: "gpt-4o-2024-08-06, input", project_id: "proj_A", project_name: "support" },
      { object: "organization.costs.result", amount: { value: 0.2, currency: "usd" }, line_item: "gpt-4o-2024-08-06, input", project_id: "proj_B", project_name: "Search team" },
    ];
    writeFileSync(byProject, JSON.stringify([first, { ...pages, data: [] }]));
    const unmapped = await cli([...db, "reconcile", "--openai-costs", byProject, "--by", "project", "--since", "2025-06-01", "--until", "2025-06-01", "--format", "json"], { now: NOW });
    expect(figures(unmapped.stdout).filter((f) => f.model === "gpt-4o").map((f) => [f.project, f.ours, f.theirs])).toEqual([
      ["Search team", 0, 0.2],
      ["search", 0.2, 0],
      ["support", 0.3, 0.3],
    ]);
    const mapped = await cli([...db, "reconcile", "--openai-costs", byProject, "--by", "project", "--map", "proj_B=search", "--since", "2025-06-01", "--until", "2025-06-01", "--format", "json"], { now: NOW });
    expect(figures(mapped.stdout).filter((f) => f.model === "gpt-4o").map((f) => [f.project, f.ours, f.theirs, f.beyondTolerance])).toEqual([
      ["search", 0.2, 0.2, false],
      ["support", 0.3, 0.3, false],
    ]);
  });

  it("matches by API key through the tag that carries its id", async () => {
    const usage = JSON.parse(readFileSync(fixture("anthropic-usage.json"), "utf8"));
    const first = usage.data[0].results[0];
    usage.data[0].results = [{ ...first, api_key_id: "apikey_01" }, { ...first, api_key_id: "apikey_02", uncached_input_tokens: 5, cache_read_input_tokens: 0, cache_creation: null, output_tokens: 1 }];
    const byKey = join(dir, "by-key.json");
    writeFileSync(byKey, JSON.stringify(usage));
    const run = await cli([...db, "reconcile", "--anthropic-usage", byKey, "--by", "api-key", "--api-key-tag", "key", "--format", "json"], { now: NOW });
    expect(run.stderr).toBe("");
    expect(figures(run.stdout).filter((f) => f.measure === "inputTokens").map((f) => [(f as { apiKey?: string }).apiKey, f.ours, f.theirs])).toEqual([
      ["apikey_01", 1000, 1000],
      ["apikey_02", 0, 5],
    ]);
  });

  it("shows costs in --currency at each UTC day's rate", async () => {
    const rates = join(dir, "rates.csv");
    writeFileSync(rates, "date,currency,rate\n2025-06-01,EUR,0.5\n2025-06-02,EUR,2\n");
    const run = await cli([...db, "reconcile", "--openai-costs", fixture("openai-costs.json"), "--currency", "EUR", "--rates", rates, "--format", "json"], { now: NOW });
    const report = JSON.parse(run.stdout);
    expect(report.figures.map((f: Figure) => f.converted)).toEqual([
      { ours: "0.25", theirs: "0.25", difference: "0" },
      { ours: "0.025", theirs: "0.025", difference: "0" },
      { ours: "0", theirs: "0.005", difference: "-0.005" },
      { ours: "1", theirs: "1.05", difference: "-0.05" },
    ]);
    expect(report.totals[0].converted).toEqual({ ours: "1.275", theirs: "1.33", difference: "-0.055" });
    const table = await cli([...db, "reconcile", "--openai-costs", fixture("openai-costs.json"), "--currency", "EUR", "--rates", rates], { now: NOW });
    expect(table.stdout).toContain("Ours (EUR)");
    expect(table.stdout).toMatch(/2025-06-02\s*│\s*gpt-4o\s*│\s*cost\s*│\s*€1\.0000\s*│\s*€1\.0500\s*│\s*-€0\.0500\s*│/);
    expect(table.stdout).toMatch(/cost\s*│\s*€1\.2750\s*│\s*€1\.3300\s*│\s*-€0\.0550\s*│/);
  });
});

describe("reconcile refuses bad input with one line naming the field", () => {
  const refused = async (args: string[], code: number, message: string | RegExp, env: NodeJS.ProcessEnv = {}) => {
    const run = await cli([...db, "reconcile", ...args], { now: NOW, env });
    expect(run.stdout).toBe("");
    expect(run.code).toBe(code);
    expect(run.stderr.split("\n")).toHaveLength(2);
    expect(run.stderr).toMatch(message);
  };

  it("names the source and the path of a wrong field", async () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ data: [{ start_time: 1748736000, end_time: 1748822400, results: [{ object: "organization.costs.result", amount: { value: "lots", currency: "usd" }, line_item: "x" }] }] }));
    await refused(["--openai-costs", bad], 1, `Error: --openai-costs "${bad}" data[0].results[0].amount.value must be a decimal amount (got "lots")`);
    writeFileSync(bad, JSON.stringify({ data: [{ start_time: 1748736000, end_time: 1748822400, results: [{ object: "organization.costs.result", amount: { value: 1, currency: "eur" }, line_item: "x" }] }] }));
    await refused(["--openai-costs", bad], 1, /data\[0\]\.results\[0\]\.amount\.currency must be usd \(got "eur"\)/);
    await refused(["--openai-costs", fixture("openai-usage.json")], 1, /data\[0\]\.results\[0\]\.object must be organization\.costs\.result \(got "organization\.usage\.completions\.result"\) \(give a usage report with --openai-usage\)/);
    await refused(["--anthropic-usage", fixture("anthropic-costs.json")], 1, /results\[0\]\.amount is a cost report's field: give the cost report with --anthropic-costs/);
    writeFileSync(bad, JSON.stringify({ data: [{ start_time: 1748736000, end_time: 1748736000 + 7 * 86400, results: [] }] }));
    await refused(["--openai-costs", bad], 1, /data\[0\] must be a bucket of one UTC day or less/);
    writeFileSync(bad, "{");
    await refused(["--openai-costs", bad], 1, /--openai-costs ".*bad\.json" is not JSON/);
    await refused(["--openai-costs", join(dir, "missing.json")], 1, /--openai-costs cannot read ".*missing\.json": ENOENT/);
  });

  it("refuses missing or mixed sources and bad flags", async () => {
    await refused([], 2, /reconcile needs the provider's figures/);
    await refused(["--openai-costs", fixture("openai-costs.json"), "--anthropic-usage", fixture("anthropic-usage.json")], 2, /one provider at a time/);
    await refused(["--openai-costs", fixture("openai-costs.json"), "--tolerance", "-1"], 2, /--tolerance must be a percentage of at least 0/);
    await refused(["--openai-costs", fixture("openai-costs.json"), "--by", "api-key"], 2, /--by api-key needs --api-key-tag KEY/);
    await refused(["--from-api", "openai", "--since", "2025-06-01"], 1, /--from-api openai needs an OpenAI Admin API key \(sk-admin-\.\.\.\) in \$OPENAI_ADMIN_KEY/);
    await refused(["--from-api", "anthropic"], 2, /--from-api needs --since/, { ANTHROPIC_ADMIN_KEY: "k" });
  });
});

describe("reconcile --from-api against a local admin API", () => {
  let server: Server;
  let base: string;
  const seen: { path: string; query: URLSearchParams; headers: IncomingMessage["headers"] }[] = [];
  let throttled = false;
  const openAIKey = "sk-admin-test-secret";
  const anthropicKey = "sk-ant-admin01-test-secret";

  beforeAll(async () => {
    const costs = JSON.parse(readFileSync(fixture("openai-costs.json"), "utf8"));
    const usage = JSON.parse(readFileSync(fixture("openai-usage.json"), "utf8"));
    const claudeUsage = JSON.parse(readFileSync(fixture("anthropic-usage.json"), "utf8"));
    const claudeCosts = JSON.parse(readFileSync(fixture("anthropic-costs.json"), "utf8"));
    // Each report in two pages: the second is only served for the cursor the first gave.
    const paged = (page: { data: unknown[] }, cursor: string | null, token: string) =>
      cursor === null ? { ...page, data: [page.data[0]], has_more: true, next_page: token } : cursor === token ? { ...page, data: page.data.slice(1), has_more: false, next_page: null } : undefined;
    server = createServer((req, res) => {
      const url = new URL(req.url!, "http://localhost");
      seen.push({ path: url.pathname, query: url.searchParams, headers: req.headers });
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(JSON.stringify(body));
      };
      const cursor = url.searchParams.get("page");
      if (url.pathname.startsWith("/v1/organization/")) {
        if (req.headers.authorization !== `Bearer ${openAIKey}`) return send(401, { error: { message: "Invalid admin key", type: "invalid_request_error" } });
        if (url.pathname === "/v1/organization/costs") return send(200, paged(costs, cursor, "page_costs_2") ?? { error: { message: "bad cursor" } });
        if (url.pathname === "/v1/organization/usage/completions") {
          // Rate limited once: the command waits as told and asks again.
          if (!throttled) {
            throttled = true;
            return send(429, { error: { message: "Too many requests" } }, { "retry-after": "0" });
          }
          return send(200, paged(usage, cursor, "page_usage_2") ?? { error: { message: "bad cursor" } });
        }
      }
      if (url.pathname.startsWith("/v1/organizations/")) {
        if (req.headers["x-api-key"] !== anthropicKey || req.headers["anthropic-version"] !== "2023-06-01") return send(401, { type: "error", error: { type: "authentication_error", message: "invalid x-api-key" } });
        if (url.pathname === "/v1/organizations/usage_report/messages") return send(200, paged(claudeUsage, cursor, "u2") ?? { error: { message: "bad cursor" } });
        if (url.pathname === "/v1/organizations/cost_report") return send(200, { ...claudeCosts });
      }
      send(404, { error: { message: "not found" } });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("fetches every page of OpenAI's costs and usage with the admin key, and compares both", async () => {
    seen.length = 0;
    const run = await cli([...db, "reconcile", "--from-api", "openai", "--since", "2025-06-01", "--until", "2025-06-02", "--format", "json"], { now: NOW, env: { OPENAI_ADMIN_KEY: openAIKey, OPENAI_BASE_URL: `${base}/v1` } });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(4);
    const costs = seen.filter((s) => s.path === "/v1/organization/costs");
    expect(costs.map((s) => s.query.get("page"))).toEqual([null, "page_costs_2"]);
    expect(Object.fromEntries([...costs[0]!.query].filter(([k]) => k !== "group_by"))).toEqual({ start_time: "1748736000", end_time: "1748908800", bucket_width: "1d", limit: "180" });
    expect(costs[0]!.query.getAll("group_by")).toEqual(["line_item"]);
    const usage = seen.filter((s) => s.path === "/v1/organization/usage/completions");
    expect(usage.map((s) => s.query.get("page"))).toEqual([null, null, "page_usage_2"]);
    expect(usage[0]!.query.getAll("group_by")).toEqual(["model"]);
    const report = JSON.parse(run.stdout);
    expect(report.sources).toEqual([`GET ${base}/v1/organization/costs`, `GET ${base}/v1/organization/usage/completions`]);
    // Both pages were read: the second day's figures are there.
    expect(report.figures.filter((f: Figure) => f.day === "2025-06-02" && f.beyondTolerance).map((f: Figure) => f.measure)).toEqual(["cost", "outputTokens"]);
    expect(run.stdout).not.toContain(openAIKey);
  });

  it("fetches Anthropic's usage and cost reports with x-api-key and anthropic-version; --api-base wins", async () => {
    seen.length = 0;
    const run = await cli([...db, "reconcile", "--from-api", "anthropic", "--api-base", base, "--since", "2025-06-01", "--until", "2025-06-02", "--min-difference", "0.01", "--format", "json"], {
      now: NOW,
      env: { ANTHROPIC_ADMIN_KEY: anthropicKey, ANTHROPIC_BASE_URL: "http://127.0.0.1:9/unused" },
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const usage = seen.filter((s) => s.path === "/v1/organizations/usage_report/messages");
    expect(usage.map((s) => s.query.get("page"))).toEqual([null, "u2"]);
    expect(usage[0]!.query.getAll("group_by[]")).toEqual(["model"]);
    expect(usage[0]!.query.get("starting_at")).toBe("2025-06-01T00:00:00Z");
    expect(usage[0]!.query.get("ending_at")).toBe("2025-06-03T00:00:00Z");
    expect(seen.filter((s) => s.path === "/v1/organizations/cost_report")[0]!.query.getAll("group_by[]")).toEqual(["description"]);
    expect(JSON.parse(run.stdout).figures).toHaveLength(5);
  });

  it("says in one line when the key is refused, without printing it", async () => {
    seen.length = 0;
    const run = await cli([...db, "reconcile", "--from-api", "openai", "--since", "2025-06-01", "--by", "project"], { now: NOW, env: { OPENAI_ADMIN_KEY: "sk-wrong-secret", OPENAI_BASE_URL: `${base}/v1` } });
    // Grouped by project on the provider's side too; the range ends yesterday by default.
    const costs = seen.find((s) => s.path === "/v1/organization/costs")!;
    expect(costs.query.getAll("group_by")).toEqual(["line_item", "project_id"]);
    expect(costs.query.get("end_time")).toBe(String(Date.parse("2025-06-10T00:00:00Z") / 1000));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Error: OpenAI (costs|completions usage): HTTP 401 from http:\/\/127\.0\.0\.1:\d+\/v1\/organization\/\S+: Invalid admin key \(an admin key is needed; see docs\/reconcile\.md\)\n$/);
    expect(run.stderr).not.toContain("sk-wrong-secret");
  });
});
