import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import type { LimitFilter } from "@llm-accounting/core";
import { SqliteStore } from "../src/index.js";

// The SQLite store reads limits through its own connection, not Prisma: it must read what Prisma
// read, including rows other tools wrote. A zone behind UTC shows a date read as local time.
process.env.TZ = "America/New_York";
const dir = mkdtempSync(join(tmpdir(), "llm-acct-limits-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("SqliteStore.listLimits", () => {
  it("matches null filters to NULL columns, as Prisma's equality filter does", async () => {
    const store = new SqliteStore({ file: join(dir, "null-filter.sqlite") });
    const base = { scope: "MODEL" as const, limitType: "requests" as const, maxValue: 5, intervalUnit: "day" as const, intervalValue: 1, username: null, callerName: null, projectName: null };
    await store.insertLimit({ ...base, model: null, scope: "GLOBAL" });
    await store.insertLimit({ ...base, model: "gpt-4o" });
    expect((await store.listLimits({ model: null } as unknown as LimitFilter)).map((l) => l.scope)).toEqual(["GLOBAL"]);
    expect((await store.listLimits({ model: "gpt-4o" })).map((l) => l.scope)).toEqual(["MODEL"]);
    await store.close();
  });

  it("reads timestamps written without an offset as UTC", async () => {
    const file = join(dir, "utc.sqlite");
    const store = new SqliteStore({ file });
    await store.open();
    const other = new Database(file);
    other
      .prepare("INSERT INTO usage_limits (scope, limit_type, max_value, interval_unit, interval_value, created_at, updated_at) VALUES ('GLOBAL', 'cost', 1, 'day', 1, ?, ?)")
      .run("2025-01-15 10:30:00", "2025-01-15T10:30:00.000+00:00");
    other.close();
    const [limit] = await store.listLimits();
    expect(limit!.createdAt.toISOString()).toBe("2025-01-15T10:30:00.000Z");
    expect(limit!.updatedAt.toISOString()).toBe("2025-01-15T10:30:00.000Z");
    await store.close();
  });
});
