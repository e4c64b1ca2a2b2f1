import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parseTimeBound } from "@llm-accounting/core";
import { reportRange } from "../src/commands/stats-period.js";
import { runCli, type CliIo } from "../src/index.js";
import { cli } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-tz-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const iso = (date: Date | undefined) => date?.toISOString();

describe("days and times in a time zone", () => {
  const now = new Date("2025-07-15T20:30:00Z");
  it("a day is its midnight to midnight in the zone, daylight saving included", () => {
    expect(iso(parseTimeBound("2025-01-31", "start", now, "Europe/Paris"))).toBe("2025-01-30T23:00:00.000Z");
    expect(iso(parseTimeBound("2025-01-31", "end", now, "Europe/Paris"))).toBe("2025-01-31T22:59:59.999Z");
    // 30 March 2025 has 23 hours in Paris (clocks go forward at 02:00).
    expect(iso(parseTimeBound("2025-03-30", "start", now, "Europe/Paris"))).toBe("2025-03-29T23:00:00.000Z");
    expect(iso(parseTimeBound("2025-03-30", "end", now, "Europe/Paris"))).toBe("2025-03-30T21:59:59.999Z");
    expect(iso(parseTimeBound("2025-01-31", "start", now))).toBe("2025-01-31T00:00:00.000Z");
  });

  it("today and yesterday are the zone's, and a time without an offset is on the zone's clock", () => {
    // At 20:30 UTC it is already 16 July in Tokyo.
    expect(iso(parseTimeBound("today", "start", now, "Asia/Tokyo"))).toBe("2025-07-15T15:00:00.000Z");
    expect(iso(parseTimeBound("yesterday", "start", now, "Asia/Tokyo"))).toBe("2025-07-14T15:00:00.000Z");
    expect(iso(parseTimeBound("2025-07-01 12:00", "start", now, "America/New_York"))).toBe("2025-07-01T16:00:00.000Z");
    expect(iso(parseTimeBound("2025-07-01T12:00:00Z", "start", now, "America/New_York"))).toBe("2025-07-01T12:00:00.000Z");
    expect(iso(parseTimeBound("7d", "start", now, "Asia/Tokyo"))).toBe("2025-07-08T20:30:00.000Z");
  });

  it("report periods start at the zone's midnight, Monday, 1st and New Year", () => {
    const at = (period: "daily" | "weekly" | "monthly" | "yearly") => iso(reportRange(period, undefined, undefined, now, "Asia/Tokyo").start);
    expect([at("daily"), at("weekly"), at("monthly"), at("yearly")]).toEqual([
      "2025-07-15T15:00:00.000Z",
      "2025-07-13T15:00:00.000Z",
      "2025-06-30T15:00:00.000Z",
      "2024-12-31T15:00:00.000Z",
    ]);
  });

  it("stats --daily --timezone counts the zone's day, and says which zone", async () => {
    const db = ["--db-file", join(dir, "stats.sqlite")];
    for (const at of ["2025-07-15T14:00:00Z", "2025-07-15T16:00:00Z"]) {
      expect((await cli([...db, "track", "--model", "m", "--cost", "1", "--timestamp", at])).code).toBe(0);
    }
    const tokyo = await cli([...db, "stats", "--daily", "--timezone", "Asia/Tokyo", "--format", "json"], { now });
    expect(JSON.parse(tokyo.stdout).totals.requests).toBe(1);
    const utc = await cli([...db, "stats", "--daily", "--format", "json"], { now });
    expect(JSON.parse(utc.stdout).totals.requests).toBe(2);
    const text = await cli([...db, "stats", "--since", "2025-07-16", "--timezone", "Asia/Tokyo"], { now });
    expect(text.stdout).toContain("=== Custom Stats (2025-07-16 to 2025-07-16 Asia/Tokyo)");
    const bad = await cli([...db, "stats", "--daily", "--timezone", "Mars/Olympus"]);
    expect([bad.code, bad.stderr.split("\n")[0]]).toEqual([2, 'Error: --timezone must be an IANA time zone such as UTC, Europe/Paris or America/New_York (got "Mars/Olympus") (see "llm-accounting --help")']);
  });
});

for (const backend of ["sqlite", "csv"] as const) {
  describe(`tail --since/--until on ${backend}`, () => {
    const db = backend === "sqlite" ? ["--db-file", join(dir, "tail.sqlite")] : ["--db-backend", "csv", "--csv-data-dir", join(dir, "tail-csv")];
    it("lists only the entries in the range, newest first, with -n still a cap", async () => {
      for (const [model, at] of [["a", "2025-01-30T12:00:00Z"], ["b", "2025-01-31T01:00:00Z"], ["c", "2025-01-31T23:00:00Z"], ["d", "2025-02-01T09:00:00Z"]]) {
        expect((await cli([...db, "track", "--model", model!, "--cost", "0", "--timestamp", at!])).code).toBe(0);
      }
      const models = async (...args: string[]) => (JSON.parse((await cli([...db, "tail", "--format", "json", ...args])).stdout) as { model: string }[]).map((r) => r.model);
      expect(await models("--since", "2025-01-31", "--until", "2025-01-31")).toEqual(["c", "b"]);
      expect(await models("--since", "2025-01-31", "--until", "2025-01-31", "--timezone", "Europe/Paris")).toEqual(["b"]);
      expect(await models("--since", "2025-01-31T12:00:00Z")).toEqual(["d", "c"]);
      expect(await models("--until", "2025-01-31", "-n", "1")).toEqual(["c"]);
    });
  });
}

describe("tail --follow", () => {
  it("prints the entries stored after it started, oldest first, and stops cleanly when interrupted", async () => {
    const db = ["--db-file", join(dir, "follow.sqlite")];
    await cli([...db, "track", "--model", "before", "--cost", "0"]);
    let stdout = "";
    const controller = new AbortController();
    const io: CliIo = {
      stdout: { write: (t: string) => (stdout += t), isTTY: false },
      stderr: { write: (t: string) => (stdout += `STDERR ${t}`) },
      readLine: async () => null,
      env: {},
      now: () => new Date(),
      interruption: () => ({ signal: controller.signal, release: () => undefined }),
    };
    const following = runCli([...db, "tail", "-f", "--interval", "0.05", "--format", "ndjson"], io);
    const models = () => stdout.trim().split("\n").filter(Boolean).map((line) => (JSON.parse(line) as { model: string }).model);
    await expect.poll(models).toEqual(["before"]);
    for (const model of ["new-1", "new-2"]) await cli([...db, "track", "--model", model, "--cost", "0"]);
    await expect.poll(models, { timeout: 10_000 }).toEqual(["before", "new-1", "new-2"]);
    controller.abort();
    expect(await following).toBe(0);
  });

  it("refuses json (a document never ends) and --until", async () => {
    const db = ["--db-file", join(dir, "follow.sqlite")];
    const json = await cli([...db, "tail", "-f", "--format", "json"]);
    expect([json.code, json.stderr.split("\n")[0]]).toEqual([2, 'Error: --follow prints entries as they come: use --format ndjson (one JSON object a line), csv or table, not json (see "llm-accounting --help")']);
    expect((await cli([...db, "tail", "-f", "--until", "today"])).code).toBe(2);
  });

  it("the real process ends with exit code 0 and nothing on stderr on SIGINT", async () => {
    const db = ["--db-file", join(dir, "follow.sqlite")];
    const bin = fileURLToPath(new URL("../bin/llm-accounting.js", import.meta.url));
    const child = spawn(process.execPath, [bin, ...db, "tail", "-f", "-n", "0", "--format", "csv", "--interval", "0.1"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    await cli([...db, "track", "--model", "seen-by-the-child", "--cost", "0"]);
    // Tracks until the child has started following and printed the new entry (header first).
    await expect.poll(async () => {
      if (!out.includes("seen-by-the-child")) await cli([...db, "track", "--model", "seen-by-the-child", "--cost", "0"]);
      return out;
    }, { timeout: 20_000, interval: 300 }).toMatch(/^id,timestamp,model,[^\n]*\n[^\n]*seen-by-the-child/);
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(err).toBe("");
  });
});
