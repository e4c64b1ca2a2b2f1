import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it, vi } from "vitest";
import { Accounting, USAGE_RECORD_COLUMNS } from "@llm-accounting/core";
import { BatchWriterThread, WriterThreadUnavailableError } from "../src/sqlite/batch-thread-client.js";
import { SqliteStore } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-thread-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const missingScript = pathToFileURL(join(dir, "no-such-thread.js"));

// Every store in this file gets a writer thread whose script does not exist (as in a bundle
// that left batch-thread.js out): a real thread that fails to start.
vi.mock("../src/sqlite/batch-thread-client.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../src/sqlite/batch-thread-client.js")>();
  class MissingScriptThread extends original.BatchWriterThread {
    constructor(options: ConstructorParameters<typeof original.BatchWriterThread>[0]) {
      super(options, missingScript);
    }
  }
  return { ...original, BatchWriterThread: MissingScriptThread };
});

describe("a writer thread that cannot start", () => {
  it("refuses its batches as unavailable, having written nothing", async () => {
    const thread = new BatchWriterThread({ file: join(dir, "unused.sqlite"), receiptKey: "writer_receipt:test", busyTimeoutMs: 1000, durability: "normal", columns: USAGE_RECORD_COLUMNS });
    const record = { timestamp: new Date(), model: "m", promptTokens: 1, completionTokens: 1, totalTokens: 2, localPromptTokens: 0, localCompletionTokens: 0, localTotalTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, costNanos: 1n, costSource: "caller" as const, executionTime: 0, callerName: null, username: null, project: null, session: null, provider: null, usageEstimated: false };
    await expect(thread.write([record])).rejects.toBeInstanceOf(WriterThreadUnavailableError);
    await thread.close();
  });

  it("leaves the store writing batches inline, every record stored once", async () => {
    const file = join(dir, "fallback.sqlite");
    const accounting = new Accounting({ store: new SqliteStore({ file }) });
    await accounting.trackUsageBatch(Array.from({ length: 30 }, (_, i) => ({ model: "m", promptTokens: i, cost: 0.001 })));
    await accounting.trackUsageBatch([{ model: "m", promptTokens: 99 }]);
    const rows = await accounting.select("SELECT COUNT(*) AS n, SUM(prompt_tokens) AS p FROM accounting_entries");
    expect(rows.rows[0]).toEqual({ n: 31, p: 435 + 99 });
    await accounting.close();
  });
});
