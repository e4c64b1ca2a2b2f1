import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli, freshStores } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-tag-limits-"));
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const drop of drops) await drop();
  rmSync(dir, { recursive: true, force: true });
});

const stores: [string, () => Promise<string[]>][] = [...freshStores(dir, drops), ["csv", async () => ["--db-backend", "csv", "--csv-data-dir", mkdtempSync(join(dir, "csv-"))]]];

describe.each(stores)("limits scoped to a tag on the command line: %s", (_name, fresh) => {
  it("limits set --scope TAG --tag: tagged calls over it are denied with exit 3 and the TAG message", async () => {
    const db = await fresh();
    const set = await cli([...db, "limits", "set", "--scope", "TAG", "--tag", "tenant=acme", "--limit-type", "requests", "--max-value", "2", "--interval-unit", "day", "--interval-value", "1"]);
    expect([set.code, set.stderr, set.stdout]).toEqual([0, "", "Usage limit set successfully.\n"]);
    const track = (tags: string[]) => cli([...db, "track", "--model", "m", "--cost", "0", "--enforce-limits", ...tags.flatMap((t) => ["--tag", t])]);
    expect((await track(["tenant=acme", "feature=search"])).code).toBe(0);
    expect((await track(["tenant=acme"])).code).toBe(0);
    const denied = await track(["tenant=acme"]);
    expect(denied.code).toBe(3);
    expect(denied.stdout).toMatch(/^Denied: TAG \(tag: tenant=acme\) limit: 2\.00 requests per 1 day exceeded\. Current usage: 2\.00, request: 1\.00\.\n/);
    expect((await track(["tenant=globex"])).code).toBe(0);
    expect((await track([])).code).toBe(0);
    const check = await cli([...db, "check", "--model", "m", "--cost", "0", "--tag", "tenant=acme"]);
    expect([check.code, check.stdout.split("\n")[0]]).toEqual([3, "Denied: TAG (tag: tenant=acme) limit: 2.00 requests per 1 day exceeded. Current usage: 2.00, request: 1.00."]);
    expect((await cli([...db, "check", "--model", "m", "--cost", "0"])).code).toBe(0);
  });

  it("limits list shows the tag (text, table and json); key=* pools every value", async () => {
    const db = await fresh();
    await cli([...db, "limits", "set", "--scope", "TAG", "--tag", "tenant=*", "--model", "m", "--limit-type", "cost", "--max-value", "1", "--interval-unit", "monthly", "--interval-value", "1"]);
    await cli([...db, "limits", "set", "--scope", "GLOBAL", "--limit-type", "requests", "--max-value", "100", "--interval-unit", "day", "--interval-value", "1"]);
    const text = await cli([...db, "limits", "list"]);
    expect(text.stdout).toContain("Scope: TAG (Model: m, Tag: tenant=*), Type: cost, Max Value: 1.0, Interval: 1 monthly");
    const table = await cli([...db, "limits", "list", "--format", "table"]);
    expect(table.stdout).toMatch(/\bTag\b/);
    expect(table.stdout).toMatch(/tenant=\*/);
    const json = JSON.parse((await cli([...db, "limits", "list", "--format", "json"])).stdout);
    expect(json.map((l: { scope: string; tag?: unknown }) => [l.scope, l.tag ?? null])).toEqual([["TAG", { key: "tenant", value: "*" }], ["GLOBAL", null]]);
    for (const [cost, tenant] of [["0.6", "a"], ["0.3", "b"]]) expect((await cli([...db, "track", "--model", "m", "--cost", cost!, "--tag", `tenant=${tenant}`, "--enforce-limits"])).code).toBe(0);
    const over = await cli([...db, "track", "--model", "m", "--cost", "0.2", "--tag", "tenant=c", "--enforce-limits"]);
    expect(over.code).toBe(3);
    expect(over.stdout).toContain("TAG (model: m, tag: tenant=*) limit: $1.00 cost per 1 monthly exceeded. Current usage: $0.90, request: $0.20.");
  });

  it("refuses a bad TAG limit with one line naming the field, and stores nothing", async () => {
    const db = await fresh();
    const base = ["limits", "set", "--limit-type", "requests", "--max-value", "1", "--interval-unit", "day", "--interval-value", "1"];
    const noTag = await cli([...db, ...base, "--scope", "TAG"]);
    expect([noTag.code, noTag.stderr]).toEqual([1, "Error: --tag is required when scope is TAG (key=value, or key=* for any value)\n"]);
    const wrongScope = await cli([...db, ...base, "--scope", "USER", "--username", "u", "--tag", "tenant=acme"]);
    expect([wrongScope.code, wrongScope.stderr]).toEqual([1, "Error: --tag is only allowed when scope is TAG (got scope USER)\n"]);
    const twice = await cli([...db, ...base, "--scope", "TAG", "--tag", "a=1", "--tag", "b=2"]);
    expect([twice.code, twice.stderr]).toEqual([2, 'Error: --tag must be given once: a limit is about one tag (got 2) (see "llm-accounting --help")\n']);
    const empty = await cli([...db, ...base, "--scope", "TAG", "--tag", "tenant="]);
    expect([empty.code, empty.stderr]).toEqual([1, 'Error: --tag.value must be a non-empty string, or * for any value (got "")\n']);
    expect((await cli([...db, ...base, "--scope", "TAG", "--tag", "bad key=x"])).stderr).toMatch(/^Error: --tag key must be 1-64 letters.*\n$/);
    expect((await cli([...db, "limits", "list"])).stdout).toBe("No usage limits found matching the criteria.\n");
  });
});
