import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Accounting } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { parseRatesCsv } from "../src/currency/rates-file.js";
import { cli } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-currency-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const NOW = new Date("2025-06-10T12:00:00.000Z");
const file = join(dir, "ledger.sqlite");
const db = ["--db-file", file];
const rates = join(dir, "rates.csv");

beforeAll(async () => {
  const accounting = new Accounting({ store: new SqliteStore({ file, writerThread: false }) });
  await accounting.trackUsageBatch([
    { model: "gpt-4o", cost: 1, timestamp: "2025-06-01T10:00:00Z", project: "a" },
    { model: "gpt-4o", cost: 2, timestamp: "2025-06-02T10:00:00Z", project: "b" },
    { model: "claude-sonnet-4-5", cost: 0.1, timestamp: "2025-06-02T23:30:00Z", project: "a" },
  ]);
  await accounting.close();
  // Rates change on the 2nd: day 1 at 0.9, day 2 at 0.8 (a third rate equal to the second changes nothing).
  writeFileSync(rates, "date,currency,rate\n# ECB-like, inverted\n2025-06-01,EUR,0.9\n2025-06-02,EUR,0.8\n2025-06-05,EUR,0.8\n2025-06-01,GBP,0.75\n");
});

describe("--currency with a rates file", () => {
  it("converts stats at each day's rate, exactly, in every part of the report", async () => {
    const run = await cli([...db, "stats", "--since", "2025-06-01", "--until", "2025-06-02", "--by", "project", "--currency", "eur", "--rates", rates, "--format", "json"], { now: NOW });
    expect(run.stderr).toBe("");
    const report = JSON.parse(run.stdout);
    // 1 × 0.9 + 2 × 0.8 + 0.1 × 0.8 = 2.58; USD stays exact beside it.
    expect(report.converted).toEqual({
      currency: "EUR",
      totalCost: "2.58",
      averageCost: "0.86",
      models: [{ model: "claude-sonnet-4-5", cost: "0.08" }, { model: "gpt-4o", cost: "2.5" }],
      groups: [{ key: "a", cost: "0.98" }, { key: "b", cost: "1.6" }],
    });
    expect(report.totals.sumCostNanos).toBe("3100000000");
  });

  it("shows converted amounts in the table, and in csv rows beside USD", async () => {
    const table = await cli([...db, "stats", "--since", "2025-06-01", "--until", "2025-06-02", "--currency", "EUR", "--rates", rates], { now: NOW });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/Total Cost \(EUR\)\s*│?\s*€2\.5800/);
    expect(table.stdout).toContain("Rankings by Cost (EUR)");
    expect(table.stdout).not.toContain("$");
    const csv = await cli([...db, "stats", "--since", "2025-06-01", "--until", "2025-06-02", "--currency", "EUR", "--rates", rates, "--format", "csv"], { now: NOW });
    expect(csv.stdout.split("\n")[0]).toContain("converted.currency,converted.cost");
    expect(csv.stdout).toContain("EUR,2.5");
  });

  it("follows --timezone for the day of an amount", async () => {
    // In Pago Pago (UTC-11) the $2 call of 10:00 UTC on the 2nd is on the 1st: 0.9, not 0.8; the
    // $1 call of 10:00 UTC on the 1st is on May 31st, outside the range.
    const run = await cli([...db, "--timezone", "Pacific/Pago_Pago", "stats", "--since", "2025-06-01", "--until", "2025-06-03", "--currency", "EUR", "--rates", rates, "--format", "json"], { now: NOW });
    expect(JSON.parse(run.stdout).converted.totalCost).toBe("1.88");
  });

  it("converts each tail entry at its own day's rate and says which", async () => {
    const run = await cli([...db, "tail", "--format", "json", "--currency", "GBP", "--rates", rates], { now: NOW });
    const records = JSON.parse(run.stdout) as { cost: number; converted: unknown }[];
    expect(records.map((r) => r.converted)).toEqual([
      { currency: "GBP", cost: "0.075", rate: "0.75", rateDate: "2025-06-01" },
      { currency: "GBP", cost: "1.5", rate: "0.75", rateDate: "2025-06-01" },
      { currency: "GBP", cost: "0.75", rate: "0.75", rateDate: "2025-06-01" },
    ]);
    const table = await cli([...db, "tail", "--currency", "EUR", "--rates", rates], { now: NOW });
    expect(table.stdout).toContain("Cost (EUR)");
    expect(table.stdout).toContain("€1.6000");
  });

  it("takes the currency and the file from the environment", async () => {
    const run = await cli([...db, "tail", "-n", "1", "--format", "json"], { now: NOW, env: { LLM_ACCOUNTING_CURRENCY: "eur", LLM_ACCOUNTING_RATES: rates } });
    expect(JSON.parse(run.stdout)[0].converted).toMatchObject({ currency: "EUR", cost: "0.08" });
    const usd = await cli([...db, "tail", "-n", "1", "--format", "json", "--currency", "USD"], { now: NOW, env: { LLM_ACCOUNTING_RATES: rates } });
    expect(JSON.parse(usd.stdout)[0].converted).toBeUndefined();
  });

  it("refuses a range with a day before the currency's first rate, naming both", async () => {
    const run = await cli([...db, "stats", "--since", "2025-05-31", "--until", "2025-06-02", "--currency", "EUR", "--rates", rates], { now: NOW });
    expect(run).toMatchObject({ code: 1, stdout: "" });
    expect(run.stderr).toBe("Error: --rates has no EUR rate on or before 2025-05-31 (its first is 2025-06-01)\n");
  });

  it("refuses a currency without a rates file, a file without the currency, and a missing file", async () => {
    const none = await cli([...db, "stats", "--daily", "--currency", "EUR"], { now: NOW });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("--currency EUR needs --rates FILE (or $LLM_ACCOUNTING_RATES)");
    const chf = await cli([...db, "stats", "--daily", "--currency", "CHF", "--rates", rates], { now: NOW });
    expect(chf.code).toBe(1);
    expect(chf.stderr).toBe(`Error: --rates "${rates}" has no CHF rate (it has EUR, GBP)\n`);
    const missing = await cli([...db, "tail", "--currency", "EUR", "--rates", join(dir, "nope.csv")], { now: NOW });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('--rates cannot read "');
    const bad = await cli([...db, "tail", "--currency", "euro", "--rates", rates], { now: NOW });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--currency must be a three-letter currency code such as EUR (got "euro")');
  });
});

describe("rates file", () => {
  const errorOf = (text: string) => {
    try {
      parseRatesCsv(text, "r.csv");
    } catch (error) {
      return (error as Error).message;
    }
    return "no error";
  };

  it("names the line and the column of each mistake", () => {
    expect(errorOf("")).toBe('rates "r.csv" is empty (it must start with the header date,currency,rate)');
    expect(errorOf("day,currency,rate\n")).toBe('rates "r.csv" line 1 must be the header date,currency,rate (got "day,currency,rate")');
    expect(errorOf("date,currency,rate\n2025-06-01,EUR\n")).toBe('rates "r.csv" line 2 must have 3 columns, date,currency,rate (got 2)');
    expect(errorOf("date,currency,rate\n2025-02-30,EUR,0.9\n")).toBe('rates "r.csv" line 2: date must be a day, YYYY-MM-DD (got "2025-02-30")');
    expect(errorOf("date,currency,rate\n\n2025-06-01,EURO,0.9\n")).toBe('rates "r.csv" line 3: currency must be a three-letter code such as EUR (got "EURO")');
    expect(errorOf("date,currency,rate\n2025-06-01,EUR,-0.9\n")).toMatch(/^rates "r.csv" line 2: rate must be a positive decimal number/);
    expect(errorOf("date,currency,rate\n2025-06-01,EUR,0.9\n2025-06-01,eur,0.91\n")).toBe("rates has two different EUR rates for 2025-06-01");
  });

  it("reads a BOM, CRLF line ends, quotes and lower-case codes", () => {
    const parsed = parseRatesCsv('\uFEFFDate,Currency,Rate\r\n"2025-06-01","eur","0.9"\r\n', "r.csv");
    expect(parsed.rateOn("EUR", "2025-06-09").scaled).toBe(900_000_000_000n);
  });
});
