import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "./helpers.js";

describe("tags on the command line", () => {
  let dir: string;
  let db: string[];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "llm-acct-tags-"));
    db = ["--db-file", join(dir, "acct.sqlite")];
    for (const [cost, tags] of [["1", ["team=a", "env=prod"]], ["2", ["team=b", "env=prod"]], ["4", ["team=b"]], ["8", []]] as const) {
      const run = await cli([...db, "track", "--model", "m", "--cost", cost, ...tags.flatMap((t) => ["--tag", t])]);
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("track --tag records the tags; tail --tag shows only the entries carrying them", async () => {
    const tail = await cli([...db, "tail", "--tag", "team=b", "--tag", "env=prod", "--format", "json"]);
    expect(tail.code).toBe(0);
    expect(JSON.parse(tail.stdout).map((r: { cost: number; tags: unknown }) => [r.cost, r.tags])).toEqual([[2, { env: "prod", team: "b" }]]);
  });

  it("stats --by tag:<key> breaks usage down by the tag's values, untagged last; --tag narrows it", async () => {
    const byTeam = await cli([...db, "stats", "--yearly", "--by", "tag:team", "--format", "json"]);
    expect(byTeam.code).toBe(0);
    const report = JSON.parse(byTeam.stdout);
    expect(report.breakdown.groups.map((g: { key: string | null; requests: number; cost: number }) => [g.key, g.requests, g.cost])).toEqual([["a", 1, 1], ["b", 2, 6], [null, 1, 8]]);
    const prod = JSON.parse((await cli([...db, "stats", "--yearly", "--by", "tag:team", "--tag", "env=prod", "--format", "json"])).stdout);
    expect(prod.totals.requests).toBe(2);
    expect(prod.breakdown.groups.map((g: { key: string | null }) => g.key)).toEqual(["a", "b"]);
    const table = await cli([...db, "stats", "--yearly", "--by", "tag:team"]);
    expect(table.stdout).toMatch(/Usage by Tag team/);
  });

  it("stats --tag narrows every part of the report: totals, per model, rankings and --by a column", async () => {
    await cli([...db, "track", "--model", "other", "--cost", "16", "--project", "x", "--tag", "team=b"]);
    const teamB = JSON.parse((await cli([...db, "stats", "--yearly", "--tag", "team=b", "--by", "project", "--format", "json"])).stdout);
    expect([teamB.totals.requests, teamB.totals.sumCost]).toEqual([3, 22]);
    expect(teamB.tags).toEqual({ team: "b" });
    expect(teamB.models.map((m: { model: string; stats: { requests: number; sumCost: number } }) => [m.model, m.stats.requests, m.stats.sumCost])).toEqual([["m", 2, 6], ["other", 1, 16]]);
    expect(teamB.rankings.cost.map((r: { model: string }) => r.model)).toEqual(["other", "m"]);
    expect(teamB.breakdown.groups.map((g: { key: string | null; cost: number }) => [g.key, g.cost])).toEqual([["x", 16], [null, 6]]);
    // Two tags: both must match; the per-model table is shown in the text report too.
    const both = await cli([...db, "stats", "--yearly", "--tag", "team=b", "--tag", "env=prod"]);
    expect(both.code).toBe(0);
    expect(both.stdout).toMatch(/team=b/);
    expect(both.stdout).toMatch(/Model Breakdown[\s\S]*\bm\b/);
    expect(JSON.parse((await cli([...db, "stats", "--yearly", "--tag", "team=none", "--format", "json"])).stdout).totals.requests).toBe(0);
    const csv = await cli([...db, "stats", "--yearly", "--tag", "team=b", "--format", "csv"]);
    expect(csv.stdout.trim().split("\n")).toHaveLength(3);
    expect((await cli([...db, "stats", "--tag", "bad key=x"])).stderr).toMatch(/^Error: --tag key must be 1-64 letters.*\n$/);
  });

  it("refuses a bad tag with one line naming it, and records nothing", async () => {
    const badKey = await cli([...db, "track", "--model", "m", "--tag", "bad key=x"]);
    expect(badKey.code).not.toBe(0);
    expect(badKey.stderr).toMatch(/^Error: --tag key must be 1-64 letters.*\n$/);
    const badValue = await cli([...db, "track", "--model", "m", "--tag", `k=${"x".repeat(257)}`]);
    expect(badValue.code).not.toBe(0);
    expect(badValue.stderr).toMatch(/^Error: --tags\.k must be at most 256 characters.*\n$/);
    expect((await cli([...db, "track", "--model", "m", "--tag", "novalue"])).stderr).toMatch(/--tag must be key=value/);
    expect((await cli([...db, "stats", "--by", "tag:bad key"])).code).not.toBe(0);
    expect(JSON.parse((await cli([...db, "tail", "--format", "json"])).stdout)).toHaveLength(5);
  });
});

describe("LLM_ACCOUNTING_TAGS: default tags of every call a process records", () => {
  let dir: string;
  let db: string[];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "llm-acct-env-tags-"));
    db = ["--db-file", join(dir, "acct.sqlite")];
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("tags every tracked call; a --tag of the call wins key by key", async () => {
    const env = { LLM_ACCOUNTING_TAGS: "environment=prod, team=search" };
    expect((await cli([...db, "track", "--model", "m", "--cost", "1"], { env })).code).toBe(0);
    expect((await cli([...db, "track", "--model", "m", "--cost", "2", "--tag", "environment=dev"], { env })).code).toBe(0);
    const tail = await cli([...db, "tail", "--format", "json"], { env });
    expect(JSON.parse(tail.stdout).map((r: { cost: number; tags: unknown }) => [r.cost, r.tags])).toEqual([
      [2, { environment: "dev", team: "search" }],
      [1, { environment: "prod", team: "search" }],
    ]);
  });

  it("a malformed value is one line naming the variable, a non-zero exit, and nothing written", async () => {
    for (const bad of ["environment", "bad key=x", "a=1,a=2"]) {
      const run = await cli([...db, "track", "--model", "m", "--cost", "4"], { env: { LLM_ACCOUNTING_TAGS: bad } });
      expect(run.code).not.toBe(0);
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
      expect(run.stderr).toContain("LLM_ACCOUNTING_TAGS");
    }
    const tail = await cli([...db, "tail", "--format", "json"]);
    expect(JSON.parse(tail.stdout).map((r: { cost: number }) => r.cost)).toEqual([2, 1]);
  });
});
