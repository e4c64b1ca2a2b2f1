import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Accounting, type UsageStore } from "@llm-accounting/core";
import { race } from "../../../tooling/bench/race.mjs";
import { PostgresqlStore, SqliteStore } from "../src/index.js";
import { createTestDatabase } from "../src/testing/index.js";

// Real OS processes (built code) racing one limit of 100 requests: the guarded write must admit
// and store exactly 100, with no errors, however the processes interleave.
const dir = mkdtempSync(join(tmpdir(), "llm-acct-race-"));
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const drop of drops) await drop(); // DROP DATABASE can take seconds each on a busy server
}, 180_000);

async function prepare(store: UsageStore): Promise<void> {
  const accounting = new Accounting({ store });
  await accounting.setUsageLimit({ scope: "GLOBAL", limitType: "requests", maxValue: 100, intervalUnit: "day", intervalValue: 1, model: null, username: null, callerName: null, projectName: null });
  // An unrelated limit that must not block anything.
  await accounting.setUsageLimit({ scope: "MODEL", limitType: "requests", maxValue: 5, intervalUnit: "day", intervalValue: 1, model: "other", username: null, callerName: null, projectName: null });
  await accounting.close();
}

async function stored(store: UsageStore): Promise<number> {
  const accounting = new Accounting({ store });
  const rows = await accounting.select("SELECT COUNT(*) AS n FROM accounting_entries WHERE model = 'race'");
  await accounting.close();
  return Number(rows.rows[0]!.n);
}

describe("processes opening a new database at once", () => {
  it("4 processes create and migrate one new SQLite file together, and all their writes land", async () => {
    const file = join(dir, "fresh-together.sqlite");
    expect(await race("sqlite", file, 4, 5)).toEqual({ admitted: 20, denied: 0, errors: 0, messages: [] });
    expect(await stored(new SqliteStore({ file }))).toBe(20);
  }, 180_000); // several processes start Node and Prisma at once: slow on a loaded machine

  it("8 processes migrate one new PostgreSQL database together", async () => {
    const db = await createTestDatabase();
    drops.push(db.drop);
    expect(await race("postgresql", db.url, 8, 3)).toEqual({ admitted: 24, denied: 0, errors: 0, messages: [] });
    expect(await stored(new PostgresqlStore({ connectionString: db.url }))).toBe(24);
  }, 180_000); // several processes start Node and Prisma at once: slow on a loaded machine
});

describe("no overshoot across processes", () => {
  it("4 processes on one SQLite file admit exactly 100 of 240 attempts", async () => {
    const file = join(dir, "race.sqlite");
    await prepare(new SqliteStore({ file }));
    const result = await race("sqlite", file, 4, 60);
    expect(result).toEqual({ admitted: 100, denied: 140, errors: 0, messages: [] });
    expect(await stored(new SqliteStore({ file }))).toBe(100);
  }, 180_000); // several processes start Node and Prisma at once: slow on a loaded machine

  it("16 processes on PostgreSQL admit exactly 100 of 320 attempts", async () => {
    const db = await createTestDatabase();
    drops.push(db.drop);
    await prepare(new PostgresqlStore({ connectionString: db.url }));
    const result = await race("postgresql", db.url, 16, 20);
    expect(result).toEqual({ admitted: 100, denied: 220, errors: 0, messages: [] });
    expect(await stored(new PostgresqlStore({ connectionString: db.url }))).toBe(100);
  }, 240_000); // 16 processes start Node and Prisma at once on 2 cores

  it("8 processes on PostgreSQL admit exactly 100 of 240 attempts", async () => {
    const db = await createTestDatabase();
    drops.push(db.drop);
    await prepare(new PostgresqlStore({ connectionString: db.url }));
    const result = await race("postgresql", db.url, 8, 30);
    expect(result).toEqual({ admitted: 100, denied: 140, errors: 0, messages: [] });
    expect(await stored(new PostgresqlStore({ connectionString: db.url }))).toBe(100);
  }, 180_000); // several processes start Node and Prisma at once: slow on a loaded machine
});
