import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it, vi } from "vitest";
import { Accounting, StoreUnavailableError } from "@llm-accounting/core";
import { SqliteStore } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-thread-death-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Every store in this file gets a real writer thread that dies with its first batch in flight.
vi.mock("../src/sqlite/batch-thread-client.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../src/sqlite/batch-thread-client.js")>();
  class DyingThread extends original.BatchWriterThread {
    constructor(options: ConstructorParameters<typeof original.BatchWriterThread>[0]) {
      super(options, new URL("./fixtures/dying-writer-thread.mjs", import.meta.url));
    }
  }
  return { ...original, BatchWriterThread: DyingThread };
});

const calls = Array.from({ length: 30 }, (_, i) => ({ model: "m", promptTokens: i, cost: 0.001 }));
const counters = (file: string): string[] => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare("SELECT key FROM store_counters WHERE key LIKE 'writer_receipt:%'").pluck().all() as string[];
  } finally {
    db.close();
  }
};

describe("a writer thread that dies with a batch in flight", () => {
  it("acknowledges a batch it committed just before, so a retry cannot store it twice", async () => {
    const file = join(dir, "commit-then-die.sqlite");
    const accounting = new Accounting({ store: new SqliteStore({ file }) });
    await accounting.trackUsageBatch(calls);
    expect((await accounting.select("SELECT COUNT(*) AS n FROM accounting_entries")).rows[0]).toEqual({ n: 30 });
    await accounting.close();
    expect(counters(file)).toEqual([]);
  });

  it("reports a batch it did not commit as a store failure, with nothing stored", async () => {
    const file = join(dir, "die-first.sqlite");
    const accounting = new Accounting({ store: new SqliteStore({ file }) });
    await expect(accounting.trackUsageBatch(calls)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect((await accounting.select("SELECT COUNT(*) AS n FROM accounting_entries")).rows[0]).toEqual({ n: 0 });
    await accounting.close();
  });
});
