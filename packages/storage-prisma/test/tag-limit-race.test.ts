import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Accounting, type UsageStore } from "@llm-accounting/core";
import { race } from "../../../tooling/bench/race.mjs";
import { PostgresqlStore, SqliteStore } from "../src/index.js";
import { createTestDatabase } from "../src/testing/index.js";

// Real OS processes (built code) racing one TAG limit: the guarded write must admit exactly its
// budget to the calls carrying the tag, and let the others through.
const dir = mkdtempSync(join(tmpdir(), "llm-acct-tag-race-"));
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const drop of drops) await drop();
}, 180_000);

const none = { model: null, username: null, callerName: null, projectName: null };

async function prepare(store: UsageStore): Promise<void> {
  const accounting = new Accounting({ store });
  await accounting.setUsageLimit({ ...none, scope: "TAG", tag: { key: "tenant", value: "acme" }, limitType: "requests", maxValue: 50, intervalUnit: "day", intervalValue: 1 });
  await accounting.setUsageLimit({ ...none, scope: "GLOBAL", limitType: "requests", maxValue: 1000, intervalUnit: "day", intervalValue: 1 });
  await accounting.close();
}

async function storedByTenant(store: UsageStore): Promise<Record<string, number>> {
  const accounting = new Accounting({ store });
  const rows = await accounting.select("SELECT t.value AS tenant, COUNT(*) AS n FROM accounting_entries e JOIN usage_tags t ON t.entry_id = e.id AND t.key = 'tenant' GROUP BY t.value ORDER BY t.value");
  await accounting.close();
  return Object.fromEntries(rows.rows.map((r) => [String(r.tenant), Number(r.n)]));
}

describe("a TAG limit across processes", () => {
  it("4 processes on one SQLite file admit exactly 50 tagged calls of 120; other tenants pass", async () => {
    const file = join(dir, "race.sqlite");
    await prepare(new SqliteStore({ file }));
    const [acme, globex] = await Promise.all([race("sqlite", file, 4, 30, { tags: { tenant: "acme" } }), race("sqlite", file, 1, 20, { tags: { tenant: "globex" } })]);
    expect(acme).toEqual({ admitted: 50, denied: 70, errors: 0, messages: [] });
    expect(globex).toEqual({ admitted: 20, denied: 0, errors: 0, messages: [] });
    expect(await storedByTenant(new SqliteStore({ file }))).toEqual({ acme: 50, globex: 20 });
  }, 180_000); // several processes start Node and Prisma at once: slow on a loaded machine

  it("8 processes on PostgreSQL admit exactly 50 tagged calls of 160", async () => {
    const db = await createTestDatabase();
    drops.push(db.drop);
    await prepare(new PostgresqlStore({ connectionString: db.url }));
    const result = await race("postgresql", db.url, 8, 20, { tags: { tenant: "acme", feature: "search" } });
    expect(result).toEqual({ admitted: 50, denied: 110, errors: 0, messages: [] });
    expect(await storedByTenant(new PostgresqlStore({ connectionString: db.url }))).toEqual({ acme: 50 });
  }, 180_000);
});
