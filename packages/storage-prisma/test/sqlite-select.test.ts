import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { QueryRejectedError } from "@llm-accounting/core";
import { sampleRecord } from "@llm-accounting/core/testkit";
import { SqliteStore } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-sqlite-select-"));
let store: SqliteStore;
beforeAll(async () => {
  store = new SqliteStore({ file: join(dir, "select.sqlite") });
  await store.insertUsage(sampleRecord({ model: "m" }));
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

it("refuses a row too large to read in one line, and keeps working", async () => {
  for (const sql of ["SELECT zeroblob(70000000) AS v", "SELECT printf('%.*c', 70000000, 'x') AS v"]) {
    const error = await store.readOnlyQuery(sql).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(QueryRejectedError);
    expect(error!.message).toMatch(/^query failed: a row is too large to read \(\d+ bytes; the most is 64 MB\)/);
    expect(error!.message).not.toContain("\n");
  }
  expect((await store.readOnlyQuery("SELECT model FROM accounting_entries")).rows).toEqual([{ model: "m" }]);
});

it("returns integers beyond 2^53 exactly, as bigint", async () => {
  const { rows } = await store.readOnlyQuery("SELECT 9007199254740993 AS big, 42 AS small, x'0102' AS bytes");
  expect(rows.map((r) => [r.big, r.small, Array.from(r.bytes as Uint8Array)])).toEqual([[9007199254740993n, 42, [1, 2]]]);
  expect(rows[0]!.bytes).toBeInstanceOf(Uint8Array);
});
