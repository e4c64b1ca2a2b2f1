import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { StoreUnavailableError, ValidationError } from "@llm-accounting/core";
import { sampleRecord } from "@llm-accounting/testkit";
import { CsvStore } from "../src/index.js";

const root = mkdtempSync(join(tmpdir(), "llm-acct-csv-readonly-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every file of the directory and its bytes. */
const snapshot = (dir: string) => new Map(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name), "latin1")]));

describe("a read-only CSV store", () => {
  it("refuses a missing directory in one line and creates nothing", async () => {
    const dir = join(root, "missing");
    const store = new CsvStore({ dir, readOnly: true });
    for (const read of [() => store.tail(10), () => store.listLimits(), () => store.listPrices(), () => store.listAuditEntries()]) {
      const error = await read().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toBe(`dir "${dir}" is not an existing CSV directory: nothing has been recorded there (check the path)`);
    }
    expect(existsSync(dir)).toBe(false);
  });

  it("reads what is there without changing a byte: missing tables are empty, a torn line is skipped, writes reject", async () => {
    const dir = join(root, "existing");
    await new CsvStore({ dir }).insertUsage(sampleRecord({ model: "kept" }));
    rmSync(join(dir, "usage_limits.csv"));
    // A write in progress (or cut by a crash) as a reader may see it.
    appendFileSync(join(dir, "accounting_entries.csv"), "2,2025-01-01T00:00:00.000Z,tor");
    const before = snapshot(dir);
    const store = new CsvStore({ dir, readOnly: true });
    expect((await store.tail(10)).map((r) => r.model)).toEqual(["kept"]);
    expect(await store.listLimits()).toEqual([]);
    await expect(store.insertUsage(sampleRecord())).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.insertUsage(sampleRecord())).rejects.toThrow(`the CSV store ${dir} was opened read-only`);
    expect(snapshot(dir)).toEqual(before);
  });

  it("reads an empty directory as an empty store", async () => {
    const dir = join(root, "empty");
    mkdirSync(dir);
    expect(await new CsvStore({ dir, readOnly: true }).sumUsage({ start: new Date(0), end: new Date() })).toMatchObject({ requests: 0 });
    expect(readdirSync(dir)).toEqual([]);
  });
});
