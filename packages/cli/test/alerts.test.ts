import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, freshStores } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-alerts-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const [[, freshSqlite]] = freshStores(dir, []) as [[string, () => Promise<string[]>]];

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local webhook receiver answering each request with the next status of `statuses` (then 200). */
async function receiver(statuses: number[]): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.statusCode = statuses.shift() ?? 200;
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/llm`, received, server };
}

const monthlyBudget = ["limits", "set", "--scope", "GLOBAL", "--limit-type", "cost", "--max-value", "1", "--interval-unit", "monthly", "--interval-value", "1"];
const spend = (cost: string) => ["track", "--model", "gpt-4o", "--cost", cost];

describe("alerts on the command line", () => {
  let db: string[];
  beforeAll(async () => {
    db = await freshSqlite();
  });

  it("refuses bad thresholds with one line naming the flag, storing nothing", async () => {
    for (const bad of ["0", "50,abc", "", "2000"]) {
      const run = await cli([...db, ...monthlyBudget, "--alert-at", bad]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^.*--alert-at must .*\n$/);
    }
    const defaults = await cli([...db, "--default-alert-at", "x", ...monthlyBudget]);
    expect(defaults).toMatchObject({ code: 2 });
    expect(defaults.stderr).toMatch(/--default-alert-at must/);
    expect((await cli([...db, "limits", "list", "--format", "json"])).stdout).toBe("[]\n");
    const url = await cli([...db, "--alert-webhook", "ftp://x", ...spend("0.1")]);
    expect(url.code).toBe(2);
    expect(url.stderr).toMatch(/^Error: --alert-webhook must be an http or https URL \(got "ftp:\/\/x"\)[^\n]*\n$/);
  });

  it("raises alerts on track, posts them signed to the webhook, retries a refused one, and lists them", async () => {
    const hook = await receiver([500]);
    const secret = "s3cret";
    const env = { LLM_ACCOUNTING_ALERT_WEBHOOK_SECRET: secret };
    try {
      const set = await cli([...db, ...monthlyBudget, "--alert-at", "50,100", "--format", "json"]);
      expect(JSON.parse(set.stdout)).toMatchObject({ alertAt: [0.5, 1] });
      expect((await cli([...db, "limits", "list"])).stdout).toMatch(/Alerts at: 50%, 100%\n$/);
      const withHook = [...db, "--alert-webhook", hook.url];
      expect((await cli([...withHook, ...spend("0.4")], { env })).code).toBe(0);
      expect(hook.received).toHaveLength(0);
      // 0.8: crosses 50 %. The receiver refuses the first post: the alert stays pending, to retry.
      expect((await cli([...withHook, ...spend("0.4")], { env })).code).toBe(0);
      expect(hook.received).toHaveLength(1);
      let listed = JSON.parse((await cli([...db, "alerts", "list", "--format", "json"])).stdout) as Record<string, any>[];
      expect(listed).toMatchObject([{ threshold: 0.5, thresholdPercent: 50, scope: "GLOBAL", delivery: { state: "pending", attempts: 1, lastError: expect.stringContaining("HTTP 500") } }]);
      expect(listed[0]!.usage).toBeCloseTo(0.8, 9);
      // Not due yet: a deliver run now sends nothing.
      expect(await cli([...withHook, "alerts", "deliver"], { env })).toMatchObject({ code: 0, stdout: "Delivered 0, to retry 0, failed 0.\n" });
      // 30 s later (the first backoff) it is delivered.
      const later = new Date(Date.now() + 31_000);
      expect(await cli([...withHook, "alerts", "deliver"], { env, now: later })).toMatchObject({ code: 0, stdout: "Delivered 1, to retry 0, failed 0.\n" });
      expect(hook.received).toHaveLength(2);
      const [first, second] = hook.received as [Received, Received];
      expect(second.body).toBe(first.body);
      expect(second.headers["idempotency-key"]).toBe(`llm-accounting-alert-${listed[0]!.id}`);
      expect(second.headers["x-llm-accounting-alert-id"]).toBe(String(listed[0]!.id));
      const stamp = second.headers["x-llm-accounting-timestamp"] as string;
      const expected = `sha256=${createHmac("sha256", secret).update(`${stamp}.${second.body}`).digest("hex")}`;
      expect(second.headers["x-llm-accounting-signature"]).toBe(expected);
      expect(JSON.parse(second.body)).toMatchObject({ id: listed[0]!.id, threshold: 0.5, limitType: "cost", maxValue: 1, window: { end: expect.any(String) } });
      // 1.2: crosses 100 %, delivered at once; 50 % is not sent again.
      expect((await cli([...withHook, ...spend("0.4")], { env })).code).toBe(0);
      expect(hook.received.map((r) => JSON.parse(r.body).threshold)).toEqual([0.5, 0.5, 1]);
      listed = JSON.parse((await cli([...db, "alerts", "list", "--format", "json"])).stdout) as Record<string, any>[];
      expect(listed.map((a) => [a.threshold, a.delivery.state])).toEqual([
        [1, "delivered"],
        [0.5, "delivered"],
      ]);
      const table = await cli([...db, "alerts", "list"], { env: { COLUMNS: "160" } });
      expect(table.stdout).toMatch(/100%.*delivered/);
    } finally {
      hook.server.close();
    }
  });

  it("pipes each alert as JSON to --alert-command and applies --default-alert-at to new limits", async () => {
    const fresh = await freshSqlite();
    const out = join(dir, "alert.json");
    const command = `${JSON.stringify(process.execPath)} -e "require('fs').writeFileSync(process.argv[1], require('fs').readFileSync(0))" ${JSON.stringify(out)}`;
    const set = await cli([...fresh, "--default-alert-at", "25", ...monthlyBudget, "--format", "json"]);
    expect(JSON.parse(set.stdout)).toMatchObject({ alertAt: [0.25] });
    expect((await cli([...fresh, "--alert-command", command, ...spend("0.3")])).code).toBe(0);
    expect(JSON.parse(readFileSync(out, "utf8"))).toMatchObject({ threshold: 0.25, thresholdPercent: 25, limitType: "cost" });
    // Delivered alerts are not sent again.
    expect(await cli([...fresh, "--alert-command", "exit 7", "alerts", "deliver"])).toMatchObject({ code: 0, stdout: "Delivered 0, to retry 0, failed 0.\n" });
    // A failing command does not fail the write; the alert waits for its retry, with the reason.
    const bobBudget = monthlyBudget.map((arg) => (arg === "GLOBAL" ? "USER" : arg));
    expect((await cli([...fresh, ...bobBudget, "--username", "bob", "--alert-at", "10"])).code).toBe(0);
    expect((await cli([...fresh, "--alert-command", "echo oops >&2; exit 7", ...spend("0.2"), "--username", "bob"])).code).toBe(0);
    const pending = JSON.parse((await cli([...fresh, "alerts", "list", "--state", "pending", "--format", "json"])).stdout) as Record<string, any>[];
    expect(pending).toMatchObject([{ threshold: 0.1, delivery: { attempts: 1, lastError: "alert command exited with status 7: oops" } }]);
  });

  it("adds burn rate and projection to limits list and check as JSON", async () => {
    const limits = JSON.parse((await cli([...db, "limits", "list", "--format", "json"])).stdout) as Record<string, any>[];
    expect(limits[0]!.forecast).toMatchObject({ burnRatePerHour: expect.any(Number), projectedUsage: expect.any(Number), limitReachedAt: expect.any(String) });
    expect(limits[0]!.used).toBeCloseTo(1.2, 9);
    expect(limits[0]!.forecast.burnRatePerHour).toBeCloseTo(0.5 * 1.2 + 0.5 * (1.2 / 24), 9);
    const check = await cli([...db, "check", "--model", "gpt-4o", "--cost", "0", "--format", "json"]);
    expect(JSON.parse(check.stdout).remaining[0].forecast).toMatchObject({ burnRatePerHour: limits[0]!.forecast.burnRatePerHour });
  });
});
