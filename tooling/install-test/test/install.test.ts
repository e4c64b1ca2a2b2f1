import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { npmProject, pack } from "./pack.js";

// Every publishable package as a user gets it: packed, installed with npm into an empty project,
// then used. Nothing from the workspace is visible to these projects.
const work = mkdtempSync(join(tmpdir(), "llm-acct-install-"));
const tarballs: Record<string, string> = {};
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(() => {
  const packs = join(work, "packs");
  for (const [name, dir] of Object.entries({ core: "packages/core", prisma: "packages/storage-prisma", csv: "packages/storage-csv", audit: "packages/audit", pricing: "packages/pricing", agentLogs: "packages/agent-logs", sdkKit: "packages/sdk-kit", openai: "packages/openai", anthropic: "packages/anthropic", aiSdk: "packages/ai-sdk", testkit: "packages/testkit", prometheus: "packages/prometheus", webDashboard: "packages/web-dashboard", otel: "packages/otel", http: "packages/http", cli: "packages/cli", app: "apps/llm-acct" })) {
    tarballs[name] = pack(dir, packs);
  }
});

const listTar = (file: string) => execFileSync("tar", ["tzf", file], { encoding: "utf8" }).split("\n").filter(Boolean);

describe("packed packages", () => {
  it("ship built JavaScript, types and source maps, and no tests", () => {
    for (const [name, file] of Object.entries(tarballs)) {
      const files = listTar(file);
      expect(files, name).toContain("package/package.json");
      expect(files, name).toContain("package/CHANGELOG.md");
      expect(files.some((f) => f.endsWith(".js") && f.startsWith("package/dist/")), name).toBe(true);
      if (name !== "app") {
        expect(files, name).toContain("package/dist/index.d.ts");
        expect(files, name).toContain("package/dist/index.js.map");
        expect(files, name).toContain("package/README.md");
      }
      expect(files.filter((f) => /\.test\.tsx?$/.test(f) || f.includes("/test/")), name).toEqual([]);
    }
  });

  it("declare exports that point at dist, engines, a license, and no workspace: versions", () => {
    for (const [name, file] of Object.entries(tarballs)) {
      const manifest = JSON.parse(execFileSync("tar", ["xzf", file, "package/package.json", "-O"], { encoding: "utf8" }));
      expect(manifest.engines?.node, name).toBe(">=20.19");
      expect(manifest.license, name).toBe("MIT");
      expect(JSON.stringify(manifest.dependencies ?? {}), name).not.toContain("workspace:");
      for (const target of Object.values(manifest.exports ?? {}) as { types: string; default: string }[]) {
        expect(target.types, name).toMatch(/^\.\/dist\/.*\.d\.ts$/);
        expect(target.default, name).toMatch(/^\.\/dist\/.*\.js$/);
      }
    }
  });

  it("keep the core free of database packages, and of peers (the test kit and its vitest live in @llm-accounting/testkit)", () => {
    const manifest = JSON.parse(execFileSync("tar", ["xzf", tarballs.core!, "package/package.json", "-O"], { encoding: "utf8" }));
    expect(Object.keys(manifest.dependencies ?? {})).toEqual([]);
    expect(manifest.peerDependencies ?? {}).toEqual({});
    expect(Object.keys(manifest.exports)).toEqual(["."]);
    const testkit = JSON.parse(execFileSync("tar", ["xzf", tarballs.testkit!, "package/package.json", "-O"], { encoding: "utf8" }));
    expect(Object.keys(testkit.peerDependencies ?? {})).toEqual(["vitest"]);
  });

  it("depend on @types only where a public type names that package", () => {
    // PostgresqlStore.pool() returns a pg.Pool; no other published declaration names a typed package.
    const needed: Record<string, string[]> = { prisma: ["@types/pg"] };
    for (const [name, file] of Object.entries(tarballs)) {
      const manifest = JSON.parse(execFileSync("tar", ["xzf", file, "package/package.json", "-O"], { encoding: "utf8" }));
      const types = Object.keys(manifest.dependencies ?? {}).filter((dep) => dep.startsWith("@types/"));
      expect(types, name).toEqual(needed[name] ?? []);
    }
  });

  it("have no `any` in their exported type declarations", () => {
    const offenders: string[] = [];
    const scan = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) {
          if (entry !== "generated") scan(path);
        } else if (entry.endsWith(".d.ts")) {
          const code = readFileSync(path, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
          if (/[:<,(|]\s*any\b|\bany\s*[>\[\]),;|]/.test(code)) offenders.push(path);
        }
      }
    };
    for (const [name, file] of Object.entries(tarballs)) {
      const dir = join(work, "unpacked", name);
      execFileSync("mkdir", ["-p", dir]);
      execFileSync("tar", ["xzf", file, "-C", dir]);
      scan(join(dir, "package", "dist"));
    }
    expect(offenders).toEqual([]);
  });
});

// First, so the service project below can reuse the better-sqlite3 this install compiles.
let appDir: string;
describe("the llm-acct app installs with one command", () => {
  let dir: string;
  beforeAll(() => {
    dir = appDir = npmProject(join(work, "app"), [tarballs.core!, tarballs.prisma!, tarballs.csv!, tarballs.audit!, tarballs.pricing!, tarballs.agentLogs!, tarballs.prometheus!, tarballs.webDashboard!, tarballs.cli!, tarballs.app!]);
  }, 1_200_000); // compiles better-sqlite3 from source: minutes on a loaded machine

  it("runs track and stats through its bin", () => {
    const bin = join(dir, "node_modules", ".bin", "llm-acct");
    // The SQLite default, even where the environment names a PostgreSQL server.
    const env = { ...process.env, POSTGRESQL_CONNECTION_STRING: "" };
    const track = spawnSync(bin, ["track", "--model", "gpt-4o", "--cost", "0.5", "--prompt-tokens", "7"], { cwd: dir, encoding: "utf8", env });
    expect(track.stderr).toBe("");
    expect(track.stdout).toBe("Usage entry tracked successfully\n");
    const stats = spawnSync(bin, ["stats", "--daily", "--format", "json"], { cwd: dir, encoding: "utf8", env });
    expect(JSON.parse(stats.stdout).totals).toMatchObject({ requests: 1, sumCost: 0.5, sumPromptTokens: 7 });
    const version = spawnSync(bin, ["--version"], { cwd: dir, encoding: "utf8" });
    expect(version.stdout).toMatch(/^llm-acct \d+\.\d+\.\d+\n$/);
  });

  it("serves Prometheus metrics through its bin (prom-client installed from the registry) and stops on SIGTERM", async () => {
    const bin = join(dir, "node_modules", ".bin", "llm-acct");
    const env = { ...process.env, POSTGRESQL_CONNECTION_STRING: "" };
    const child = spawn(bin, ["serve", "--port", "0"], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    await expect.poll(() => out, { timeout: 30_000, interval: 100 }).toMatch(/http:\/\/127\.0\.0\.1:\d+\/metrics/);
    const url = /(http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(out)![1]!;
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/^llm_accounting_model_requests_total\{model="gpt-4o"\} 1$/m);
    // The web dashboard's page and the chart library it loads (uplot, installed from the registry).
    expect((await fetch(`${url}/`)).headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect((await fetch(`${url}/assets/vendor/uPlot.iife.min.js`)).status).toBe(200);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(err).toBe("");
  });

  it("imports Claude Code logs through its bin", () => {
    const bin = join(dir, "node_modules", ".bin", "llm-acct");
    const env = { ...process.env, POSTGRESQL_CONNECTION_STRING: "" };
    const project = join(dir, "claude", "projects", "-work-app");
    mkdirSync(project, { recursive: true });
    const usage = { input_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 100, output_tokens: 40 };
    const line = { type: "assistant", cwd: "/work/app", sessionId: "s-1", timestamp: "2026-11-02T10:00:00.000Z", requestId: "req_1", message: { id: "msg_1", model: "claude-sonnet-4-5-20250929", role: "assistant", usage } };
    writeFileSync(join(project, "s-1.jsonl"), `${JSON.stringify(line)}\n${JSON.stringify(line)}\n`);
    const run = spawnSync(bin, ["import", "--from-claude-code", join(dir, "claude")], { cwd: dir, encoding: "utf8", env });
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/^Imported from Claude Code logs: 1 new calls, 0 updated; 1 of 1 files read/);
    const tail = spawnSync(bin, ["tail", "--format", "json"], { cwd: dir, encoding: "utf8", env });
    const imported = JSON.parse(tail.stdout).filter((r: { callerName: string | null }) => r.callerName === "claude-code");
    expect(imported).toEqual([expect.objectContaining({ model: "claude-sonnet-4-5-20250929", session: "s-1", project: "/work/app", promptTokens: 105, completionTokens: 40, costSource: "price" })]);
  });
});

describe("a service installs core and storage-prisma alone", () => {
  let dir: string;
  beforeAll(() => {
    // better-sqlite3 as the app's install above compiled it from source (it would compile the same).
    dir = npmProject(join(work, "service"), [tarballs.core!, tarballs.prisma!], appDir);
  }, 1_200_000);

  it("tracks usage into SQLite and reads stats, without prisma generate or engines", () => {
    writeFileSync(
      join(dir, "app.mjs"),
      `import { Accounting, UsageBuffer } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";
const accounting = new Accounting({ store: new SqliteStore({ file: "data/usage.sqlite" }), appName: "svc" });
await accounting.trackUsage({ model: "gpt-4o", promptTokens: 10, completionTokens: 5, cost: 0.0001 });
await accounting.trackUsage({ model: "gpt-4o", promptTokens: 20, completionTokens: 5, cost: 0.0002 });
// The buffered path writes its batches on the package's writer thread.
const buffer = new UsageBuffer(accounting);
for (let i = 0; i < 3; i++) buffer.trackUsage({ model: "gpt-4o", promptTokens: 1, completionTokens: 1, cost: 0.0001 });
await buffer.close();
const stats = await accounting.getPeriodStats(new Date(Date.now() - 3600000), new Date());
const [last] = await accounting.tail(1);
console.log(JSON.stringify({ requests: stats.requests, sumCost: stats.sumCost, sumTotalTokens: stats.sumTotalTokens, json: JSON.parse(JSON.stringify({ stats, last })) }));
await accounting.close();
`,
    );
    const run = spawnSync(process.execPath, ["app.mjs"], { cwd: dir, encoding: "utf8" });
    expect(run.stderr).toBe("");
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ requests: 5, sumCost: 0.0006, sumTotalTokens: 46 });
    // Library results go through JSON.stringify as they are: USD numbers beside exact nano-dollar strings.
    expect(out.json.stats).toMatchObject({ sumCost: 0.0006, sumCostNanos: "600000" });
    expect(out.json.last).toMatchObject({ cost: 0.0001, costNanos: "100000", costSource: "caller" });
    expect(existsSync(join(dir, "data", "usage.sqlite"))).toBe(true);
    expect(existsSync(join(dir, "node_modules", "@llm-accounting", "storage-prisma", "dist", "sqlite", "batch-thread.js"))).toBe(true);
    expect(existsSync(join(dir, "node_modules", "prisma"))).toBe(false);
    expect(existsSync(join(dir, "node_modules", ".prisma"))).toBe(false);
    expect(existsSync(join(dir, "node_modules", "@prisma", "engines"))).toBe(false);
  });

  it("type-checks a TypeScript user of the public API", () => {
    writeFileSync(
      join(dir, "check.ts"),
      `import { Accounting, QuotaExceededError, type UsageStats } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";
const accounting: Accounting = new Accounting({ store: new SqliteStore() });
export async function f(): Promise<number> {
  const stats: UsageStats = await accounting.getPeriodStats("2025-01-01", new Date());
  try { await accounting.trackUsage({ model: "m" }, { enforceLimits: true }); } catch (e) { if (e instanceof QuotaExceededError) return e.retryAfterSeconds ?? 0; }
  return stats.sumCost;
}
`,
    );
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", target: "ES2023", strict: true, noEmit: true, skipLibCheck: false, types: [] }, files: ["check.ts"] }),
    );
    const tsc = join(process.cwd(), "node_modules", ".bin", "tsc");
    const run = spawnSync(existsSync(tsc) ? tsc : "npx", existsSync(tsc) ? ["-p", dir] : ["tsc", "-p", dir], { cwd: dir, encoding: "utf8" });
    expect(run.stdout + run.stderr).toBe("");
    expect(run.status).toBe(0);
  });
});

describe("a service installs core, storage-csv and pricing alone", () => {
  it("tracks usage into CSV files, priced from the catalog, and reads stats, with no native module", () => {
    const dir = npmProject(join(work, "csv-service"), [tarballs.core!, tarballs.csv!, tarballs.pricing!]);
    writeFileSync(
      join(dir, "app.mjs"),
      `import { Accounting } from "@llm-accounting/core";
import { CsvStore } from "@llm-accounting/storage-csv";
import { createPricer } from "@llm-accounting/pricing";
const accounting = new Accounting({ store: new CsvStore({ dir: "usage-data" }), pricer: createPricer() });
await accounting.trackUsage({ model: "claude", promptTokens: 3, completionTokens: 4, cost: 0.5 });
const priced = await accounting.trackUsage({ model: "gpt-4o", provider: "openai", promptTokens: 1000000 });
const stats = await accounting.getPeriodStats(new Date(Date.now() - 3600000), new Date());
console.log(JSON.stringify({ requests: stats.requests, sumTotalTokens: stats.sumTotalTokens, priced: priced.costSource, pricedCost: priced.costNanos > 0n }));
`,
    );
    const run = spawnSync(process.execPath, ["app.mjs"], { cwd: dir, encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual({ requests: 2, sumTotalTokens: 1000007, priced: "price", pricedCost: true });
    expect(readFileSync(join(dir, "usage-data", "accounting_entries.csv"), "utf8")).toContain(",claude,3,4,7,");
    expect(existsSync(join(dir, "node_modules", "better-sqlite3"))).toBe(false);
  });
});

describe("a service adds the OpenAI wrapper", () => {
  it("records a real openai SDK call (local server) into CSV, with the wrapper and SDK installed from npm", async () => {
    const dir = npmProject(join(work, "openai-service"), [tarballs.core!, tarballs.csv!, tarballs.sdkKit!, tarballs.openai!, "openai@6.30.1"]);
    writeFileSync(
      join(dir, "app.mjs"),
      `import { createServer } from "node:http";
import OpenAI from "openai";
import { Accounting } from "@llm-accounting/core";
import { CsvStore } from "@llm-accounting/storage-csv";
import { flushUsage, trackOpenAI } from "@llm-accounting/openai";
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ id: "c1", object: "chat.completion", created: 1, model: "gpt-4o-2024-08-06",
      choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: "hi" } }],
      usage: { prompt_tokens: 11, completion_tokens: 2, total_tokens: 13, prompt_tokens_details: { cached_tokens: 8 } } }));
  });
}).listen(0, "127.0.0.1");
await new Promise((resolve) => server.once("listening", resolve));
const accounting = new Accounting({ store: new CsvStore({ dir: "usage-data" }) });
const client = trackOpenAI(new OpenAI({ apiKey: "test", baseURL: \`http://127.0.0.1:\${server.address().port}/v1\` }), { accounting, username: "ann" });
const answer = await client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "hello" }] });
await flushUsage(client);
const [row] = await accounting.tail(1);
console.log(JSON.stringify({ text: answer.choices[0].message.content, model: row.model, prompt: row.promptTokens, cached: row.cachedTokens, user: row.username, costSource: row.costSource }));
server.close();
`,
    );
    const run = spawnSync(process.execPath, ["app.mjs"], { cwd: dir, encoding: "utf8" });
    // No pricer and no cost: the call is recorded unpriced, and the library says so once.
    expect(run.stderr.match(/UnpricedModelWarning: no price for model 'gpt-4o-2024-08-06'/g)).toHaveLength(1);
    expect(JSON.parse(run.stdout)).toEqual({ text: "hi", model: "gpt-4o-2024-08-06", prompt: 11, cached: 8, user: "ann", costSource: "unpriced" });
  });
});
