import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli, freshStores } from "./helpers.js";

// `tail --format ndjson|json` exports entries with their tags; `import --from-export` reads them
// back into any store. A round trip SQLite -> PostgreSQL -> CSV -> SQLite keeps every field.
const dir = mkdtempSync(join(tmpdir(), "llm-acct-roundtrip-"));
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const drop of drops) await drop();
  rmSync(dir, { recursive: true, force: true });
});
const stores = new Map(freshStores(dir, drops));
const sqlite = stores.get("sqlite")!;
const postgresql = stores.get("postgresql")!;
const csv = ["--db-backend", "csv", "--csv-data-dir", join(dir, "csv")];

const entries = async (db: string[]) => {
  const out = await cli([...db, "tail", "-n", "-1", "--format", "json"]);
  expect(out.stderr).toBe("");
  return (JSON.parse(out.stdout) as Record<string, unknown>[]).map(({ id: _id, ...rest }) => rest);
};

describe("export and import keep tags", () => {
  it("round-trips entries, tags and exact costs between SQLite, PostgreSQL and CSV", async () => {
    const first = await sqlite();
    const calls = [
      ["--model", "gpt-4o", "--cost", "0.000000007", "--prompt-tokens", "12", "--tag", "team=search", "--tag", "tenant=acme é"],
      ["--model", "o3", "--cost", "1.5", "--username", "ann", "--project", "p", "--session", "s-1", "--tag", "team=chat"],
      ["--model", "o3", "--cost", "0", "--caller-name", "batch", "--estimated"],
    ];
    for (const call of calls) expect((await cli([...first, "track", ...call])).code).toBe(0);
    const original = await entries(first);
    expect(original.map((e) => e.tags)).toEqual([undefined, { team: "chat" }, { team: "search", "tenant": "acme é" }]);
    expect(original.map((e) => e.usageEstimated)).toEqual([true, false, false]);
    // The table marks the estimated call's counts (here 0 of each) with ~, and only those.
    const table = (await cli([...first, "tail", "-n", "-1"])).stdout.split("\n");
    expect(table.filter((line) => line.includes("~")).map((line) => [line.includes("batch"), line.match(/~0/g)?.length])).toEqual([[true, 3]]);

    const ndjson = join(dir, "usage.ndjson");
    writeFileSync(ndjson, (await cli([...first, "tail", "-n", "-1", "--format", "ndjson"])).stdout);
    const pg = await postgresql();
    const imported = await cli([...pg, "import", "--from-export", ndjson]);
    expect([imported.code, imported.stdout.trim()]).toEqual([0, `Imported 3 usage entries from ${ndjson}`]);
    expect(await entries(pg)).toEqual(original);

    const json = join(dir, "usage.json");
    writeFileSync(json, (await cli([...pg, "tail", "-n", "-1", "--format", "json"])).stdout);
    expect(JSON.parse((await cli([...csv, "import", "--from-export", json, "--format", "json"])).stdout)).toEqual({ usage: 3 });
    expect(await entries(csv)).toEqual(original);

    const back = await sqlite();
    const fromCsv = join(dir, "from-csv.ndjson");
    writeFileSync(fromCsv, (await cli([...csv, "tail", "-n", "-1", "--format", "ndjson"])).stdout);
    expect((await cli([...back, "import", "--from-export", fromCsv])).code).toBe(0);
    expect(await entries(back)).toEqual(original);
    // The tags are there for the reports, not just for tail.
    const byTeam = JSON.parse((await cli([...back, "stats", "--since", "1d", "--by", "tag:team", "--format", "json"])).stdout);
    expect(byTeam.breakdown.groups.map((g: { key: string | null; requests: number }) => [g.key, g.requests])).toEqual([["chat", 1], ["search", 1], [null, 1]]);
  });

  it("refuses a bad file with one line naming the record, and stores nothing", async () => {
    const db = await sqlite();
    const good = readFileSync(join(dir, "usage.ndjson"), "utf8").split("\n").find((line) => line.includes('"team":"chat"'))!;
    const bad = join(dir, "bad.ndjson");
    writeFileSync(bad, `${good}\n${good.replace(/"team":"[^"]*"/, '"bad key":"x"')}\n`);
    const run = await cli([...db, "import", "--from-export", bad]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Error: --from-export record 2: tags\.bad key key must be 1-64 letters.*\n$/);
    writeFileSync(bad, "not json\n");
    expect((await cli([...db, "import", "--from-export", bad])).stderr).toMatch(/^Error: --from-export line 1 is not a JSON record.*\n$/);
    expect((await cli([...db, "import", "--from-export", join(dir, "missing.ndjson")])).stderr).toMatch(/^Error: --from-export cannot read ".*missing.ndjson": ENOENT\n$/);
    expect(await entries(db)).toEqual([]);
  });
});
