import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, freshStores } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-limits-"));
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const drop of drops) await drop(); // DROP DATABASE can take seconds each on a busy server
}, 180_000);

const backends = freshStores(dir, drops);

const json = (text: string) => JSON.parse(text) as unknown;

for (const [name, fresh] of backends) {
  describe(`limits and quota commands on ${name}`, () => {
    let db: string[];
    beforeAll(async () => {
      db = await fresh();
    });

    it("sets, lists (text and JSON) and deletes limits", async () => {
      const set = await cli([...db, "limits", "set", "--scope", "PROJECT", "--limit-type", "cost", "--max-value", "100.5", "--interval-unit", "monthly", "--interval-value", "1", "--project-name", "P1", "--model", "gpt-4"]);
      expect(set).toMatchObject({ code: 0, stdout: "Usage limit set successfully.\n", stderr: "" });
      const second = await cli([...db, "limits", "set", "--scope", "USER", "--limit-type", "requests", "--max-value", "-1", "--interval-unit", "day_rolling", "--interval-value", "2", "--username", "*", "--format", "json"]);
      const created = json(second.stdout) as { id: number; maxValue: number; username: string };
      expect(created).toMatchObject({ maxValue: -1, username: "*" });
      const list = await cli([...db, "limits", "list"]);
      expect(list.stdout).toBe(
        "Configured Usage Limits:\n" +
          `  ID: ${created.id - 1}, Scope: PROJECT (Model: gpt-4, Project: P1), Type: cost, Max Value: 100.5, Interval: 1 monthly\n` +
          `  ID: ${created.id}, Scope: USER (User: *), Type: requests, Max Value: -1.0, Interval: 2 day_rolling\n`,
      );
      const filtered = await cli([...db, "limits", "list", "--scope", "USER", "--format", "json"]);
      expect((json(filtered.stdout) as { id: number }[]).map((l) => l.id)).toEqual([created.id]);
      expect((await cli([...db, "limits", "list", "--project-name", "nope"])).stdout).toBe("No usage limits found matching the criteria.\n");
      // --project, as every other command spells it, and the original's --project-name alike.
      const byProject = await cli([...db, "limits", "set", "--scope", "PROJECT", "--project", "P2", "--limit-type", "requests", "--max-value", "3", "--interval-unit", "day", "--interval-value", "1"]);
      expect([byProject.code, byProject.stderr]).toEqual([0, ""]);
      expect((await cli([...db, "limits", "list", "--project", "P2"])).stdout).toMatch(/^Configured Usage Limits:\n {2}ID: \d+, Scope: PROJECT \(Project: P2\), Type: requests, Max Value: 3\.0, Interval: 1 day\n$/);
      expect((await cli([...db, "limits", "list", "--project-name", "P2", "--format", "json"])).stdout).toMatch(/"projectName": "P2"/);
      expect((await cli(["limits", "set", "--help"])).stdout).toMatch(/--project, --project-name +Project the limit applies to/);
      const del = await cli([...db, "limits", "delete", "--id", String(created.id)]);
      expect(del.stdout).toBe(`Usage limit with ID ${created.id} deleted successfully.\n`);
      const again = await cli([...db, "limits", "delete", "--id", String(created.id)]);
      expect(again).toMatchObject({ code: 1, stderr: `Error: no usage limit with ID ${created.id}\n` });
    });

    it("check exits 0 when allowed and 3 when denied, with JSON for scripts", async () => {
      await cli([...db, "limits", "set", "--scope", "USER", "--limit-type", "requests", "--max-value", "2", "--interval-unit", "day", "--interval-value", "1", "--username", "ann"]);
      const ok = await cli([...db, "check", "--model", "m", "--username", "ann"]);
      expect(ok).toMatchObject({ code: 0, stdout: "Allowed\n" });
      for (let i = 0; i < 2; i++) expect((await cli([...db, "track", "--model", "m", "--username", "ann", "--enforce-limits"])).code).toBe(0);
      const denied = await cli([...db, "check", "--model", "m", "--username", "ann", "--session", "s1"]);
      expect(denied.code).toBe(3);
      expect(denied.stdout).toMatch(/^Denied: USER \(user: ann\) limit: 2\.00 requests per 1 day exceeded\. Current usage: 2\.00, request: 1\.00\.\nRetry after: \d+s\n$/);
      const asJson = await cli([...db, "check", "--model", "m", "--username", "ann", "--format", "json"]);
      expect(asJson.code).toBe(3);
      const body = json(asJson.stdout) as { allowed: boolean; reason: string; retryAfterSeconds: number; remaining: { remaining: number; limitType: string }[] };
      expect(body.allowed).toBe(false);
      expect(body.retryAfterSeconds).toBeGreaterThan(0);
      expect(body.remaining.find((r) => r.limitType === "requests")?.remaining).toBe(0);
      expect((await cli([...db, "check", "--model", "m", "--username", "bob", "--format", "json"])).code).toBe(0);
      const rows = await cli([...db, "select", "--query", "SELECT session, rejection_message FROM quota_rejections", "--format", "json"]);
      expect(json(rows.stdout)).toEqual([{ session: "s1", rejection_message: "USER (user: ann) limit: 2.00 requests per 1 day exceeded. Current usage: 2.00, request: 1.00." }]);
    });

    it("check says when retrying cannot help: the request alone is larger than the limit", async () => {
      await cli([...db, "limits", "set", "--scope", "USER", "--limit-type", "cost", "--max-value", "5", "--interval-unit", "day", "--interval-value", "1", "--username", "cy"]);
      const denied = await cli([...db, "check", "--model", "m", "--username", "cy", "--cost", "5.01"]);
      expect(denied.code).toBe(3);
      expect(denied.stdout).toBe("Denied: USER (user: cy) limit: $5.00 cost per 1 day exceeded. Current usage: $0.00, request: $5.01.\nRetrying will not help: this request alone exceeds the limit.\n");
      expect(json((await cli([...db, "check", "--model", "m", "--username", "cy", "--cost", "5.01", "--format", "json"])).stdout)).toMatchObject({ allowed: false, retryAfterSeconds: null });
      expect((await cli([...db, "check", "--model", "m", "--username", "cy", "--cost", "5"])).code).toBe(0);
    });

    it("track --enforce-limits records nothing when denied and exits 3", async () => {
      const before = await cli([...db, "select", "--query", "SELECT COUNT(*) AS n FROM accounting_entries", "--format", "json"]);
      const run = await cli([...db, "track", "--model", "m", "--username", "ann", "--enforce-limits"]);
      expect(run.code).toBe(3);
      expect(run.stdout).toMatch(/^Denied: USER \(user: ann\)/);
      const after = await cli([...db, "select", "--query", "SELECT COUNT(*) AS n FROM accounting_entries", "--format", "json"]);
      expect(after.stdout).toBe(before.stdout);
    });
  });
}

describe("limits: bad input is one line, non-zero, and writes nothing", () => {
  const file = join(dir, "bad-limits.sqlite");
  const base = ["--db-file", file, "limits", "set", "--limit-type", "requests", "--max-value", "5", "--interval-unit", "day", "--interval-value", "1"];
  const cases: [string, string[], number, RegExp][] = [
    ["unknown scope", [...base, "--scope", "TEAM"], 2, /Invalid values:[\s\S]*scope/],
    ["lower-case scope", [...base, "--scope", "user"], 2, /Invalid values/],
    ["unknown type", ["--db-file", file, "limits", "set", "--scope", "GLOBAL", "--limit-type", "tokens", "--max-value", "5", "--interval-unit", "day", "--interval-value", "1"], 2, /Invalid values/],
    ["unknown unit", ["--db-file", file, "limits", "set", "--scope", "GLOBAL", "--limit-type", "cost", "--max-value", "5", "--interval-unit", "month", "--interval-value", "1"], 2, /Invalid values/],
    ["zero interval", [...base.slice(0, -1), "0", "--scope", "GLOBAL"], 1, /--interval-value must be a positive integer/],
    ["PROJECT without project", [...base, "--scope", "PROJECT"], 1, /^Error: --project is required when scope is PROJECT$/],
    ["negative max", ["--db-file", file, "limits", "set", "--scope", "GLOBAL", "--limit-type", "cost", "--max-value", "-2", "--interval-unit", "day", "--interval-value", "1"], 1, /--max-value/],
    ["missing id", ["--db-file", file, "limits", "delete"], 2, /Missing required argument: id/],
    ["bare limits", ["--db-file", file, "limits"], 2, /Choose a limits command/],
  ];
  for (const [title, argv, code, message] of cases) {
    it(title, async () => {
      const run = await cli(argv);
      expect(run.code).toBe(code);
      expect(run.stderr.split("\n")[0]).toMatch(message);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      // Not even the database was created.
      expect(existsSync(file)).toBe(false);
    });
  }
});
