import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { Accounting, QuotaExceededError } from "@llm-accounting/core";
import { PostgresqlStore } from "../src/index.js";
import { executeText, literal } from "../src/postgresql/simple-protocol.js";
import { createTestDatabase } from "../src/testing/index.js";

// Guarded writes on PostgreSQL send their values as literals in a simple-protocol query (so the
// locks, the sums and the write share round trips). Every value must arrive exactly as sent.
const AWKWARD = ["it's", 'say "hi"', "back\\slash", "\\'mixed\\\"", "naïve ☃ 🚀", "", "NULL", "{a,b}", "line\nbreak", "tab\there", "$1", "null", " spaced ", "plain-name_1.2:3@x+y"];

describe("postgresql: values sent as literals", () => {
  let drop: () => Promise<void>;
  let url: string;
  let client: pg.Client;
  beforeAll(async () => {
    const db = await createTestDatabase();
    drop = db.drop;
    url = db.url;
    client = new pg.Client({ connectionString: url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await drop?.();
  });

  it("round-trips text, arrays with NULLs and quotes, numbers, bigints and instants", async () => {
    const when = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678));
    const values = [AWKWARD[0], [...AWKWARD, null], [1, -2, null, 2 ** 40], 12345678901234567890n, when, [when, null], null, true];
    const sql = "SELECT $1::text AS a, $2::text[] AS b, $3::bigint[]::text[] AS c, $4::numeric::text AS d, $5::timestamptz AS e, $6::timestamptz[] AS f, $7::text AS g, $8::boolean AS h";
    const text = await executeText(client, sql, values);
    const row = ((await client.query(text)) as unknown as pg.QueryResult).rows[0];
    expect(row.a).toBe(AWKWARD[0]);
    expect(row.b).toEqual([...AWKWARD, null]);
    expect(row.c).toEqual(["1", "-2", null, String(2 ** 40)]);
    expect(row.d).toBe("12345678901234567890");
    expect(row.e.getTime()).toBe(when.getTime());
    expect(row.f.map((d: Date | null) => d?.getTime() ?? null)).toEqual([when.getTime(), null]);
    expect(row.g).toBeNull();
    expect(row.h).toBe(true);
  });

  it("refuses values it cannot write exactly", () => {
    expect(() => literal(Number.NaN)).toThrow(/NaN/);
    expect(() => literal([Number.POSITIVE_INFINITY])).toThrow(/Infinity/);
    expect(() => literal({ a: 1 })).toThrow(/object/);
  });

  it("prepares a statement once per connection", async () => {
    const sql = "SELECT $1::int + 1 AS n";
    await executeText(client, sql, [1]);
    const prepared = async () => Number((await client.query("SELECT count(*) AS n FROM pg_prepared_statements WHERE statement LIKE '%$1::int + 1%'")).rows[0].n);
    expect(await prepared()).toBe(1);
    const text = await executeText(client, sql, [41]);
    expect(await prepared()).toBe(1);
    expect(((await client.query(text)) as unknown as pg.QueryResult).rows[0].n).toBe(42);
  });

  it.each([true, false])("a guarded call, a reservation and its commit store awkward names and tags exactly (batchRoundTrips %s)", async (batchRoundTrips) => {
    const db = await createTestDatabase();
    const store = new PostgresqlStore({ connectionString: db.url, batchRoundTrips });
    const accounting = new Accounting({ store });
    try {
      await accounting.setUsageLimit({ scope: "GLOBAL", limitType: "requests", maxValue: 3, intervalUnit: "day", intervalValue: 1, model: null, username: null, callerName: null, projectName: null });
      const tags = Object.fromEntries(AWKWARD.filter((v) => v !== "").map((value, i) => [`k${i}`, value]));
      for (const [i, name] of AWKWARD.slice(0, 2).entries()) {
        await accounting.trackUsage({ model: `m-${name}`, username: name, callerName: `c-${name}`, project: null, promptTokens: 10 + i, completionTokens: 5, cost: 0.001, tags }, { enforceLimits: true });
      }
      const reservation = await accounting.reserve({ model: "m-back\\slash", username: "back\\slash", inputTokens: 7, cost: 0.002 });
      await reservation.commit({ promptTokens: 7, completionTokens: 1, cost: 0.002, tags: { note: "it's \\ \"fine\"" } });
      // The limit holds 3: the fourth guarded call is denied and nothing more is written.
      await expect(accounting.trackUsage({ model: "m", promptTokens: 1, completionTokens: 1, cost: 0.001 }, { enforceLimits: true })).rejects.toBeInstanceOf(QuotaExceededError);
      const rows = await accounting.tail(10);
      expect(rows.map((r) => r.username).sort()).toEqual(["back\\slash", AWKWARD[0], AWKWARD[1]].sort());
      const byName = new Map(rows.map((r) => [r.username, r]));
      expect(byName.get(AWKWARD[1]!)).toMatchObject({ model: `m-${AWKWARD[1]}`, callerName: `c-${AWKWARD[1]}`, promptTokens: 11, tags });
      expect(byName.get("back\\slash")!.tags).toEqual({ note: "it's \\ \"fine\"" });
      expect(byName.get("back\\slash")!.costNanos).toBe(2_000_000n);
    } finally {
      await accounting.close();
      await db.drop();
    }
  });
});
