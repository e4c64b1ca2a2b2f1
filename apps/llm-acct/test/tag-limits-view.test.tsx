import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { render } from "ink-testing-library";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Accounting } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { Limits, limitWho } from "../src/components/Limits.js";
import { loadLimitRates, loadLimits } from "../src/data/load.js";

// TAG limits in the Limits view: named by their tag, paced by the calls that carry it.
const NOW = new Date("2025-06-15T12:00:00.000Z");
const dir = mkdtempSync(join(tmpdir(), "llm-acct-tags-"));
let accounting: Accounting;
beforeAll(async () => {
  accounting = new Accounting({ store: new SqliteStore({ file: join(dir, "tags.sqlite") }), now: () => NOW });
  const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);
  await accounting.trackUsageBatch([
    { model: "gpt-4o", cost: 2, tags: { tenant: "acme" }, timestamp: minutesAgo(30) },
    { model: "gpt-4o", cost: 1, tags: { tenant: "globex" }, timestamp: minutesAgo(20) },
    { model: "gpt-4o", cost: 4, timestamp: minutesAgo(10) },
  ]);
  const limit = { scope: "TAG", limitType: "cost", intervalUnit: "day", intervalValue: 1, maxValue: 10, username: null, callerName: null, projectName: null } as const;
  await accounting.setUsageLimit({ ...limit, model: null, tag: { key: "tenant", value: "acme" } });
  await accounting.setUsageLimit({ ...limit, model: "gpt-4o", tag: { key: "tenant", value: "*" } });
});
afterAll(async () => {
  await accounting.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("TAG limits in the dashboard", () => {
  it("names each by its tag after the names that narrow it, and paces it by the tagged calls only", async () => {
    const limits = await loadLimits(accounting);
    expect(limits.map((s) => limitWho(s.limit))).toEqual(["tenant=acme", "model:gpt-4o tenant=*"]);
    expect(limits.map((s) => s.used)).toEqual([2, 3]);
    const rates = await loadLimitRates(accounting, limits, NOW);
    expect(limits.map((s) => rates.get(s.limit.id))).toEqual([2, 3]);
    const frame = render(<Limits limits={limits} now={NOW} width={100} rates={rates} />).lastFrame()!;
    expect(frame).toMatch(/^tenant=acme /m);
    // Cut to the column like every long name.
    expect(frame).toMatch(/^model:gpt-4o tenant… cost\/1d/m);
  });
});
