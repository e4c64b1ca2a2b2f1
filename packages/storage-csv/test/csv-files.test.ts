import { spawn } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { sampleRecord } from "@llm-accounting/testkit";
import { CorruptCsvError, CsvStore } from "../src/index.js";

const root = mkdtempSync(join(tmpdir(), "llm-acct-csvfiles-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `dir-${++n}`);

/** Runs `count` copies of a worker script at the same moment; resolves with their stdout lines. */
function workers(script: string, count: number, args: string[]): Promise<string[]> {
  const startAt = String(Date.now() + 1000);
  const path = fileURLToPath(new URL(script, import.meta.url));
  return Promise.all(
    Array.from({ length: count }, () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, [path, ...args, startAt], { stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        let err = "";
        child.stdout.on("data", (d) => (out += d));
        child.stderr.on("data", (d) => (err += d));
        child.on("close", (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`worker failed (${code}): ${err}`))));
      }),
    ),
  );
}

describe("CSV files", () => {
  it("round-trips awkward text: commas, quotes, newlines, unicode, and empty versus missing", async () => {
    const dir = freshDir();
    const store = new CsvStore({ dir });
    const tricky = ['a,b', 'say "hi"', "two\nlines", "crlf\r\nend", "žluťoučký 🐴", "", " padded ", "=1+1"];
    for (const text of tricky) await store.insertUsage(sampleRecord({ model: "m", callerName: text, username: text === "" ? null : text, project: "" }));
    await store.insertAuditEntry({ timestamp: new Date(), appName: "a", userName: "u", model: "m", promptText: tricky.join("|"), responseText: "", remoteCompletionId: null, project: null, logType: "prompt", session: null });
    const again = new CsvStore({ dir });
    const rows = (await again.tail(100)).sort((a, b) => a.id - b.id);
    expect(rows.map((r) => r.callerName)).toEqual(tricky);
    expect(rows.map((r) => r.username)).toEqual(tricky.map((t) => (t === "" ? null : t)));
    expect(rows.every((r) => r.project === "")).toBe(true);
    const [entry] = await again.listAuditEntries();
    expect(entry).toMatchObject({ promptText: tricky.join("|"), responseText: "", remoteCompletionId: null, project: null });
    expect(readFileSync(join(dir, "accounting_entries.csv"), "utf8").split("\n")[0]).toBe(
      "id,timestamp,model,prompt_tokens,completion_tokens,total_tokens,local_prompt_tokens,local_completion_tokens,local_total_tokens,cached_tokens,reasoning_tokens,cost_nanos,execution_time,caller_name,username,project,session,cache_write_tokens,cost_source,provider,tags,usage_estimated,cache_write_1h_tokens,service_tier",
    );
  });

  it("reports a corrupt line with its file and line number, and loses nothing", async () => {
    const dir = freshDir();
    const store = new CsvStore({ dir });
    await store.insertUsage(sampleRecord({ model: "before", callerName: "multi\nline" }));
    const file = join(dir, "accounting_entries.csv");
    appendFileSync(file, "2,not-a-date,x,1,1,2,0,0,0,0,0,5,0.1,,,,,0,,,,0,0,\n");
    const reader = new CsvStore({ dir });
    const error = await reader.tail(10).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptCsvError);
    expect((error as Error).message).toBe("accounting_entries.csv line 4: timestamp is not a timestamp (\"not-a-date\")");
    appendFileSync(file, "3,2025-01-01T00:00:00.000Z,too,few\n");
    expect(readFileSync(file, "utf8")).toContain("before");
    const lines = readFileSync(file, "utf8").split("\n");
    writeFileSync(file, [...lines.slice(0, 3), lines[4], ""].join("\n"));
    await expect(new CsvStore({ dir }).tail(10)).rejects.toThrow("accounting_entries.csv line 4: expected 24 fields, found 4");
  });

  it("reads usage_estimated as 0 or 1, or true or false, and names the column on anything else", async () => {
    const dir = freshDir();
    const store = new CsvStore({ dir });
    await store.insertUsage(sampleRecord({ model: "flagged" }));
    await store.insertUsage(sampleRecord({ model: "plain", usageEstimated: false }));
    const file = join(dir, "accounting_entries.csv");
    const [header, flagged, plain] = readFileSync(file, "utf8").split("\n");
    // usage_estimated comes before the last two fields (cache_write_1h_tokens and service_tier follow it).
    expect([/,1,\d+,[^,]*$/.test(flagged!), /,0,\d+,[^,]*$/.test(plain!)]).toEqual([true, true]);
    writeFileSync(file, [header, flagged!.replace(/,1,(\d+,[^,]*)$/, ",false,$1"), plain!.replace(/,0,(\d+,[^,]*)$/, ",true,$1"), ""].join("\n"));
    expect((await new CsvStore({ dir }).tail(10)).map((r) => [r.model, r.usageEstimated])).toEqual([["plain", true], ["flagged", false]]);
    writeFileSync(file, [header, flagged!.replace(/,1,(\d+,[^,]*)$/, ",yes,$1"), ""].join("\n"));
    await expect(new CsvStore({ dir }).tail(10)).rejects.toThrow('accounting_entries.csv line 2: usage_estimated is not 0, 1, true or false ("yes")');
  });

  it("re-reads a file replaced under the same inode instead of trusting the bytes it cached", async () => {
    const dir = freshDir();
    const store = new CsvStore({ dir });
    await store.insertUsage(sampleRecord({ model: "first" }));
    await store.insertUsage(sampleRecord({ model: "second" }));
    expect((await store.tail(10)).map((r) => r.model)).toEqual(["second", "first"]);
    // Another process rewrote the table (same inode, longer): the first rows changed, one was added.
    const file = join(dir, "accounting_entries.csv");
    const text = readFileSync(file, "utf8");
    const [header, row1, row2] = text.split("\n");
    const row3 = row2!.replace(/^2,/, "3,").replace(",second,", ",third,");
    writeFileSync(file, [header, row1!.replace(",first,", ",FIRST-renamed,"), row2, row3, ""].join("\n"));
    expect((await store.tail(10)).map((r) => r.model)).toEqual(["third", "second", "FIRST-renamed"]);
  });

  it("upgrades a table written by 0.2 (fewer columns) in place, keeping every row", async () => {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true });
    const old = "id,timestamp,model,prompt_tokens,completion_tokens,total_tokens,local_prompt_tokens,local_completion_tokens,local_total_tokens,cached_tokens,reasoning_tokens,cost_nanos,execution_time,caller_name,username,project,session";
    // The last line was torn by a crash: it must not come back padded as a record.
    writeFileSync(join(dir, "accounting_entries.csv"), `${old}\n1,2025-01-01T00:00:00.000Z,old-model,10,5,15,0,0,0,2,0,1500,0.5,app,"a,b",,s\n2,2025-01-01T00:00:00.000Z,torn,1,1,2,0,0,0,0,0,12345678,0.1,ap`);
    const store = new CsvStore({ dir });
    await store.insertUsage(sampleRecord({ model: "new-model" }));
    const rows = (await store.tail(10)).sort((a, b) => a.id - b.id);
    expect(rows.map((r) => [r.id, r.model, r.cacheWriteTokens, r.costSource, r.usageEstimated])).toEqual([
      [1, "old-model", 0, null, false],
      [2, "new-model", 11, "caller", true],
    ]);
    expect(rows[0]).toMatchObject({ promptTokens: 10, cachedTokens: 2, costNanos: 1500n, username: "a,b", project: null, session: "s" });
    expect(readFileSync(join(dir, "accounting_entries.csv"), "utf8").split("\n")[0]).toBe(`${old},cache_write_tokens,cost_source,provider,tags,usage_estimated,cache_write_1h_tokens,service_tier`);
  });

  it("upgrades a table written by 0.4 (tags last) in place: a column added since goes after tags, read as its default", async () => {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true });
    const old = "id,timestamp,model,prompt_tokens,completion_tokens,total_tokens,local_prompt_tokens,local_completion_tokens,local_total_tokens,cached_tokens,reasoning_tokens,cost_nanos,execution_time,caller_name,username,project,session,cache_write_tokens,cost_source,provider,tags";
    writeFileSync(join(dir, "accounting_entries.csv"), `${old}\n1,2025-01-01T00:00:00.000Z,claude,100,5,105,0,0,0,0,0,1500,0.5,app,u,,s,40,price,anthropic,"{""team"":""a""}"\n`);
    const store = new CsvStore({ dir });
    await store.insertUsage(sampleRecord({ model: "new-model", cacheWriteTokens: 11, cacheWrite1hTokens: 3 }));
    const rows = (await store.tail(10)).sort((a, b) => a.id - b.id);
    expect(rows.map((r) => [r.model, r.cacheWriteTokens, r.cacheWrite1hTokens, r.provider, r.tags])).toEqual([
      ["claude", 40, 0, "anthropic", { team: "a" }],
      ["new-model", 11, 3, sampleRecord({}).provider, sampleRecord({}).tags],
    ]);
    expect(readFileSync(join(dir, "accounting_entries.csv"), "utf8").split("\n")[0]).toBe(`${old},usage_estimated,cache_write_1h_tokens,service_tier`);
  });

  it("drops the torn tail a crash left mid-append and goes on writing", async () => {
    const dir = freshDir();
    const store = new CsvStore({ dir });
    await store.insertUsage(sampleRecord({ model: "kept" }));
    const file = join(dir, "accounting_entries.csv");
    appendFileSync(file, "2,2025-01-15T10:30:00.123Z,torn-mod");
    const after = new CsvStore({ dir });
    await after.insertUsage(sampleRecord({ model: "next" }));
    expect((await after.tail(10)).map((r) => r.model)).toEqual(["next", "kept"]);
    expect(readFileSync(file, "utf8")).not.toContain("torn-mod");
    expect(readFileSync(file, "utf8").endsWith("\n")).toBe(true);
  });

  it("with durability full, fsyncs appends and reads them back the same", async () => {
    const dir = freshDir();
    const store = new CsvStore({ dir, durability: "full" });
    await store.insertUsageBatch([sampleRecord({ model: "a" }), sampleRecord({ model: "b" })]);
    expect((await new CsvStore({ dir }).tail(5)).map((r) => r.model).sort()).toEqual(["a", "b"]);
  });

  it("refuses a directory it cannot create, in one line", async () => {
    const blocker = join(root, "a-file");
    writeFileSync(blocker, "x");
    await expect(new CsvStore({ dir: join(blocker, "data") }).open()).rejects.toThrow(/^cannot use the CSV directory .*a-file\/data: /);
  });

  it("two processes appending 10,000 rows each at once end with 20,000 well-formed rows", async () => {
    const dir = freshDir();
    await new CsvStore({ dir }).open();
    await workers("./append-worker.mjs", 2, [dir, "10000"]);
    const rows = await new CsvStore({ dir }).tail(100_000);
    expect(rows.length).toBe(20_000);
    expect(new Set(rows.map((r) => r.id)).size).toBe(20_000);
    expect(new Set(rows.map((r) => r.model)).size).toBe(2);
    expect(rows.every((r) => r.project === "line\nbreak" && r.username === 'say "hi"' && r.costNanos === 1000n)).toBe(true);
    // Seconds alone, minutes when CI runs every package's tests at once on two cores.
  }, 300_000);

  it("4 processes racing guarded writes store exactly 100", async () => {
    const dir = freshDir();
    await new CsvStore({ dir }).open();
    const out = await workers("./guard-worker.mjs", 4, [dir, "60"]);
    expect(out.map((line) => JSON.parse(line).admitted as number).reduce((a, b) => a + b, 0)).toBe(100);
    expect((await new CsvStore({ dir }).tail(1000)).length).toBe(100);
  }, 300_000);
});
