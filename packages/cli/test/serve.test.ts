import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-serve-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const BIN = fileURLToPath(new URL("../bin/llm-accounting.js", import.meta.url));

/** The value of one sample line of a scrape, e.g. `llm_accounting_project_requests_total{project="p"}`. */
const sample = (text: string, series: string): number | undefined => {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe("llm-accounting serve", () => {
  it.each(["SIGTERM", "SIGINT"] as const)("the built bin serves a scrape of the SQLite file, then stops on %s with exit code 0 and nothing on stderr", async (signal) => {
    const db = ["--db-file", join(dir, `serve-${signal}.sqlite`)];
    for (const cost of ["0.25", "0.5"]) expect((await cli([...db, "track", "--model", "gpt-4o", "--project", "web", "--username", "ann", "--prompt-tokens", "100", "--completion-tokens", "10", "--cost", cost])).code).toBe(0);
    const child = spawn(process.execPath, [BIN, ...db, "serve", "--port", "0", "--per-user"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    await expect.poll(() => out, { timeout: 20_000, interval: 100 }).toMatch(/^Serving http:\/\/127\.0\.0\.1:\d+\/metrics, /);
    const url = /(http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(out)![1]!;
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(sample(text, 'llm_accounting_project_requests_total{project="web"}')).toBe(2);
    expect(sample(text, 'llm_accounting_user_tokens_total{user="ann",kind="input"}')).toBe(200);
    expect(sample(text, 'llm_accounting_model_cost_usd_total{model="gpt-4o"}')).toBe(0.75);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const summary = (await (await fetch(`${url}/api/v1/summary?project=web`)).json()) as { totals: unknown };
    expect(summary.totals).toMatchObject({ requests: 2, promptTokens: 200, cost: 0.75 });
    // The web dashboard, from the bundled bin: the page and the chart library beside it.
    expect(out).toContain(`Web dashboard: ${url}/\n`);
    const page = await fetch(`${url}/`);
    expect([page.status, page.headers.get("content-type")]).toEqual([200, "text/html; charset=utf-8"]);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(await page.text()).toContain('src="assets/vendor/uPlot.iife.min.js"');
    expect((await fetch(`${url}/assets/vendor/uPlot.iife.min.js`)).status).toBe(200);
    child.kill(signal);
    expect(await exited).toBe(0);
    expect(err).toBe("");
    expect(out.trimEnd().split("\n").at(-1)).toBe("Stopped serving metrics");
  });

  it("refuses a non-loopback host without a token (exit 2, one line naming --token and the variable)", async () => {
    const db = ["--db-file", join(dir, "serve-SIGTERM.sqlite")];
    for (const host of ["0.0.0.0", "::"]) {
      const run = await cli([...db, "serve", "--port", "0", "--host", host]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`^Error: --host ${host.replace(/\./g, "\\.")} lets other machines in: give --token or set LLM_ACCOUNTING_API_TOKEN .*\n$`));
      expect(run.stderr.split("\n")).toHaveLength(2);
    }
  });

  it("refuses a bad port (exit 2) and a port in use (exit 1) with one line naming --port", async () => {
    const db = ["--db-file", join(dir, "serve-SIGTERM.sqlite")];
    for (const port of ["65536", "-1", "http", "1.5"]) {
      const run = await cli([...db, "serve", "--port", port]);
      expect([run.code, run.stderr]).toEqual([2, `Error: --port must be an integer from 0 to 65535 (got "${port}") (see "llm-accounting --help")\n`]);
    }
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const run = spawnSync(process.execPath, [BIN, ...db, "serve", "--port", String(port)], { encoding: "utf8", timeout: 30_000 });
      expect([run.status, run.stderr]).toEqual([1, `Error: --port ${port} is already in use\n`]);
    } finally {
      taken.close();
    }
  });
});
