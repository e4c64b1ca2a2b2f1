import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, freshStores } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-registry-"));
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const drop of drops) await drop(); // DROP DATABASE can take seconds each on a busy server
}, 180_000);

const backends = freshStores(dir, drops);
const json = (text: string) => JSON.parse(text) as unknown;

for (const [name, fresh] of backends) {
  describe(`registries, enforcement, audit and sessions on ${name}`, () => {
    let db: string[];
    beforeAll(async () => {
      db = await fresh();
    });

    it("manages projects with the original's messages", async () => {
      expect((await cli([...db, "projects", "list"])).stdout).toBe("No projects defined.\n");
      expect((await cli([...db, "projects", "add", "beta"])).stdout).toBe("Project 'beta' added.\n");
      await cli([...db, "projects", "add", "alpha"]);
      expect(await cli([...db, "projects", "add", "alpha"])).toMatchObject({ code: 1, stderr: "Error: Project 'alpha' already exists\n" });
      expect((await cli([...db, "projects", "list"])).stdout).toBe("alpha\nbeta\n");
      expect((await cli([...db, "projects", "update", "beta", "gamma"])).stdout).toBe("Project 'beta' renamed to 'gamma'.\n");
      expect((await cli([...db, "projects", "delete", "gamma"])).stdout).toBe("Project 'gamma' deleted.\n");
      expect(await cli([...db, "projects", "delete", "gamma"])).toMatchObject({ code: 1, stderr: "Error: no project named 'gamma'\n" });
      expect(json((await cli([...db, "projects", "list", "--format", "json"])).stdout)).toEqual(["alpha"]);
    });

    it("manages users, including deactivation timestamps", async () => {
      expect((await cli([...db, "users", "add", "ann", "--ou-name", "R&D", "--email", "ann@example.com"])).stdout).toBe("User 'ann' added.\n");
      await cli([...db, "users", "add", "bob"]);
      expect((await cli([...db, "users", "update", "bob", "--email", "bob@example.com"])).stdout).toBe("User 'bob' updated.\n");
      expect((await cli([...db, "users", "deactivate", "bob"])).stdout).toBe("User 'bob' deactivated.\n");
      expect((await cli([...db, "users", "list"])).stdout).toBe("ann\nbob\n");
      const users = json((await cli([...db, "users", "list", "--format", "json"])).stdout) as { userName: string; enabled: boolean; lastDisabledAt: string | null; email: string | null; ouName: string | null }[];
      expect(users.map((u) => [u.userName, u.enabled, u.lastDisabledAt !== null, u.email, u.ouName])).toEqual([
        ["ann", true, false, "ann@example.com", "R&D"],
        ["bob", false, true, "bob@example.com", null],
      ]);
      expect(await cli([...db, "users", "deactivate", "nobody"])).toMatchObject({ code: 1, stderr: "Error: no user named 'nobody'\n" });
    });

    it("enforces registered names and records nothing that fails", async () => {
      const enforce = [...db, "--enforce-project-names", "--enforce-user-names"];
      expect((await cli([...enforce, "track", "--model", "m", "--project", "alpha", "--username", "ann"])).code).toBe(0);
      expect(await cli([...enforce, "track", "--model", "m", "--project", "nope", "--username", "ann"])).toMatchObject({ code: 1, stderr: "Error: Project name 'nope' is not in allowed projects\n" });
      expect(await cli([...enforce, "track", "--model", "m", "--project", "alpha", "--username", "zed"])).toMatchObject({ code: 1, stderr: "Error: User name 'zed' is not in allowed users\n" });
      expect(await cli([...enforce, "track", "--model", "m", "--username", "bob"])).toMatchObject({ code: 1, stderr: "Error: User name 'bob' is deactivated\n" });
      expect((await cli([...enforce, "check", "--model", "m", "--username", "zed"])).code).toBe(1);
      await cli([...db, "users", "reactivate", "bob"]);
      expect((await cli([...enforce, "track", "--model", "m", "--username", "bob"])).code).toBe(0);
      const tail = json((await cli([...db, "tail", "--format", "json"])).stdout) as unknown[];
      expect(tail.length).toBe(2);
    });

    it("logs events to the audit log and lists them", async () => {
      const logged = await cli([...db, "log-event", "--app-name", "chat", "--user-name", "ann", "--model", "gpt-4o", "--log-type", "prompt", "--prompt-text", "hello, \"world\"\nbye", "--session", "s-7", "--timestamp", "2025-01-02T03:04:05+02:00"]);
      expect(logged.stdout).toBe("Successfully logged event for app 'chat' and user 'ann'.\n");
      await cli([...db, "log-event", "--app-name", "chat", "--user-name", "ann", "--model", "gpt-4o", "--log-type", "response", "--response-text", "hi", "--remote-completion-id", "c-1", "--session", "s-7"]);
      const entries = json((await cli([...db, "audit", "--session", "s-7", "--format", "json"])).stdout) as { logType: string; promptText: string | null; timestamp: string }[];
      expect(entries.map((e) => e.logType)).toEqual(["response", "prompt"]);
      expect(entries[1]).toMatchObject({ promptText: 'hello, "world"\nbye', timestamp: "2025-01-02T01:04:05.000Z" });
      // The prompt is at 2025-01-02T01:04:05Z, the response now.
      const types = async (...flags: string[]) => (json((await cli([...db, "audit", "--session", "s-7", ...flags, "--format", "json"])).stdout) as { logType: string }[]).map((e) => e.logType);
      expect(await types("--since", "2025-01-02", "--until", "2025-01-02")).toEqual(["prompt"]);
      expect(await types("--since", "1h")).toEqual(["response"]);
      expect(await types("--start", "2025-01-02T01:04:06Z")).toEqual(["response"]);
      const table = await cli([...db, "audit", "--log-type", "prompt"]);
      expect(table.stdout).toContain('hello, "world" bye');
      const bad = await cli([...db, "log-event", "--app-name", "a", "--user-name", "u", "--model", "m", "--log-type", "x", "--timestamp", "soon"]);
      expect(bad.code).toBe(2);
      expect((await cli([...db, "log-event", "--app-name", "a", "--model", "m", "--log-type", "x"])).stderr).toMatch(/Missing required argument: user-name/);
      // An event about no model in particular needs no --model; it is stored as "-".
      const event = await cli([...db, "log-event", "--app-name", "ops", "--user-name", "ann", "--log-type", "event", "--session", "s-8"]);
      expect([event.code, event.stderr]).toEqual([0, ""]);
      expect(json((await cli([...db, "audit", "--session", "s-8", "--format", "json"])).stdout)).toMatchObject([{ logType: "event", appName: "ops", model: "-" }]);
    });

    it("filters tail and stats by session and breaks stats down by any column", async () => {
      await cli([...db, "track", "--model", "m1", "--session", "s-9", "--cost", "1", "--username", "ann", "--timestamp", "2025-05-05T10:00:00Z"]);
      await cli([...db, "track", "--model", "m2", "--session", "s-9", "--cost", "3", "--username", "bob", "--timestamp", "2025-05-05T11:00:00Z"]);
      await cli([...db, "track", "--model", "m1", "--session", "other", "--cost", "5", "--timestamp", "2025-05-05T12:00:00Z"]);
      const tail = json((await cli([...db, "tail", "--session", "s-9", "--format", "json"])).stdout) as { model: string }[];
      expect(tail.map((r) => r.model)).toEqual(["m2", "m1"]);
      const stats = json((await cli([...db, "stats", "--start", "2025-05-05", "--end", "2025-05-05", "--session", "s-9", "--by", "username", "--format", "json"])).stdout) as {
        totals: { requests: number; sumCost: number };
        breakdown: { by: string; groups: { key: string; requests: number }[] };
      };
      expect(stats.totals).toMatchObject({ requests: 2, sumCost: 4 });
      expect(stats.breakdown.groups.map((g) => [g.key, g.requests])).toEqual([["ann", 1], ["bob", 1]]);
      const table = await cli([...db, "stats", "--start", "2025-05-05", "--end", "2025-05-05", "--by", "session"]);
      expect(table.stdout).toContain("Usage by Session");
      expect(table.stdout).toMatch(/other\s+│\s+1 │\s+0 │ \$5\.0000 │\s+55\.6% │/);
    });
  });
}

describe("a separate audit store", () => {
  it("keeps the audit log in --audit-db-file and usage in --db-file", async () => {
    const usage = join(dir, "usage-only.sqlite");
    const audit = join(dir, "audit-only.sqlite");
    const run = await cli(["--db-file", usage, "--audit-db-file", audit, "log-event", "--app-name", "a", "--user-name", "u", "--model", "m", "--log-type", "event"]);
    expect(run.code).toBe(0);
    expect(existsSync(audit)).toBe(true);
    expect(existsSync(usage)).toBe(false);
    const listed = json((await cli(["--db-file", usage, "--audit-db-file", audit, "audit", "--format", "json"])).stdout) as unknown[];
    expect(listed.length).toBe(1);
    expect(json((await cli(["--db-file", audit, "audit", "--format", "json"])).stdout)).toHaveLength(1);
  });
  it("requires a connection string for a postgresql audit store", async () => {
    const run = await cli(["--audit-db-backend", "postgresql", "audit"]);
    expect(run).toMatchObject({ code: 2 });
    expect(run.stderr).toMatch(/--audit-postgresql-connection-string is required/);
  });
});
