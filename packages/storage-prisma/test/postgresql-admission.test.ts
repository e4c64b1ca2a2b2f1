import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { Accounting, QuotaExceededError, type NewUsageLimit } from "@llm-accounting/core";
import { PostgresqlStore } from "../src/index.js";
import { createTestDatabase } from "../src/testing/index.js";

// A guarded write whose step states its admission is decided by the server in one statement,
// sent with BEGIN, the locks and COMMIT in one round trip. These cases pin what that path must
// keep: exact money, the limits version, reservations, and the fallback for refusals.
const none = { model: null, username: null, callerName: null, projectName: null };
const limit = (l: Partial<NewUsageLimit>): NewUsageLimit => ({ scope: "GLOBAL", limitType: "requests", maxValue: 100, intervalUnit: "day", intervalValue: 1, ...none, ...l });

/** Counts the messages every pg client sends while `work` runs. */
async function messagesDuring(work: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, query: unknown, ...rest: unknown[]) {
    sent.push(typeof query === "string" ? query : String((query as { text?: string }).text ?? ""));
    return (original as (...args: unknown[]) => unknown).call(this, query, ...rest);
  } as typeof original;
  try {
    await work();
  } finally {
    pg.Client.prototype.query = original;
  }
  return sent;
}

describe("postgresql: guarded writes decided on the server", () => {
  let url: string;
  let drop: () => Promise<void>;
  const open: Accounting[] = [];
  const accountingOn = (options: { batchRoundTrips?: boolean } = {}) => {
    const accounting = new Accounting({ store: new PostgresqlStore({ connectionString: url, ...options }) });
    open.push(accounting);
    return accounting;
  };
  beforeAll(async () => {
    ({ url, drop } = await createTestDatabase());
  });
  afterEach(async () => {
    for (const accounting of open.splice(0)) await accounting.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query("DELETE FROM accounting_entries; DELETE FROM usage_limits; DELETE FROM quota_reservations; DELETE FROM quota_rejections");
    await client.end();
  });
  afterAll(async () => drop?.());

  it("admits in one round trip and refuses past the limit with the message a check gives", async () => {
    const accounting = accountingOn();
    await accounting.setUsageLimit(limit({ limitType: "cost", maxValue: 0.0875 }));
    const call = { model: "gpt-4o", username: "ann", promptTokens: 10, completionTokens: 5, cost: 0.025, session: "s-1" };
    await accounting.trackUsage(call, { enforceLimits: true }); // registers the filter: the slow path
    const sent = await messagesDuring(() => accounting.trackUsage(call, { enforceLimits: true }));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^BEGIN; .*EXECUTE .*; COMMIT; SELECT pg_logical_emit_message/s);
    await accounting.trackUsage(call, { enforceLimits: true });
    // $0.075 spent: a fourth $0.025 would make $0.1 > $0.0875.
    const check = await accounting.checkQuota({ model: "gpt-4o", username: "ann", cost: 0.025 });
    const refused = await accounting.trackUsage(call, { enforceLimits: true }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(QuotaExceededError);
    expect((refused as QuotaExceededError).message).toContain(check.reason!);
    expect((await accounting.getPeriodStats(new Date(0), new Date(Date.now() + 60_000))).sumCost).toBeCloseTo(0.075, 9);
    expect((await accounting.store.listRejections("s-1")).map((r) => r.message)).toEqual([check.reason]);
  });

  it("stores a tagged call's tags in the same message, and an untagged call's text inserts no tags", async () => {
    const accounting = accountingOn();
    await accounting.setUsageLimit(limit({}));
    await accounting.setUsageLimit({ ...limit({ scope: "TAG", maxValue: 2 }), tag: { key: "tenant", value: "acme" } });
    const call = { model: "gpt-4o", username: "ann", promptTokens: 10, completionTokens: 5, cost: 0.01 };
    // The first calls register the filters and prepare each text on the connection.
    for (let i = 0; i < 2; i++) await accounting.trackUsage({ ...call, tags: { tenant: "other" } }, { enforceLimits: true });
    await accounting.trackUsage(call, { enforceLimits: true });
    const tagged = await messagesDuring(() => accounting.trackUsage({ ...call, tags: { tenant: "acme", tier: "gold" } }, { enforceLimits: true }));
    const untagged = await messagesDuring(() => accounting.trackUsage(call, { enforceLimits: true }));
    expect(tagged).toHaveLength(1);
    expect(untagged).toHaveLength(1);
    const text = (sent: string) => /EXECUTE (\w+)/.exec(sent)![1]!;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const statements = await client.query<{ name: string; statement: string }>("SELECT name, statement FROM pg_prepared_statements");
      expect(statements.rows).toHaveLength(0); // prepared on the store's connections, not this one
      const stored = await client.query<{ key: string; value: string }>("SELECT t.key, t.value FROM usage_tags t ORDER BY t.entry_id, t.key");
      expect(stored.rows).toEqual([
        { key: "tenant", value: "other" },
        { key: "tenant", value: "other" },
        { key: "tenant", value: "acme" },
        { key: "tier", value: "gold" },
      ]);
    } finally {
      await client.end();
    }
    expect(text(tagged[0]!)).not.toBe(text(untagged[0]!));
    // The TAG limit counted the tagged call: one more acme call fits, the next does not.
    await accounting.trackUsage({ ...call, tags: { tenant: "acme" } }, { enforceLimits: true });
    await expect(accounting.trackUsage({ ...call, tags: { tenant: "acme" } }, { enforceLimits: true })).rejects.toBeInstanceOf(QuotaExceededError);
  });

  it("admits exactly up to a cost limit in nano-dollars", async () => {
    const accounting = accountingOn();
    // 0.000000003 USD a call against 0.00000001: three fit (9 nano-dollars), the fourth would make 12.
    await accounting.setUsageLimit(limit({ limitType: "cost", maxValue: 0.00000001 }));
    let admitted = 0;
    for (let i = 0; i < 6; i++) {
      const ok = await accounting.trackUsage({ model: "m", promptTokens: 1, completionTokens: 1, cost: 0.000000003 }, { enforceLimits: true }).then(() => true, () => false);
      if (ok) admitted++;
    }
    expect(admitted).toBe(3);
  });

  it("bounds every limit type of every applicable limit", async () => {
    const accounting = accountingOn();
    await accounting.setUsageLimit(limit({ limitType: "input_tokens", maxValue: 25 }));
    await accounting.setUsageLimit(limit({ scope: "MODEL", model: "m", limitType: "output_tokens", maxValue: 1000 }));
    await accounting.setUsageLimit(limit({ scope: "USER", username: "u", limitType: "total_tokens", maxValue: 1000, intervalUnit: "hour_rolling" }));
    const call = { model: "m", username: "u", promptTokens: 10, completionTokens: 3, cost: 0 };
    await accounting.trackUsage(call, { enforceLimits: true });
    await accounting.trackUsage(call, { enforceLimits: true });
    // 20 input tokens stored: 10 more would make 30 > 25.
    await expect(accounting.trackUsage(call, { enforceLimits: true })).rejects.toBeInstanceOf(QuotaExceededError);
    await accounting.trackUsage({ ...call, promptTokens: 5 }, { enforceLimits: true });
    expect((await accounting.tail(10)).map((r) => r.promptTokens).sort()).toEqual([10, 10, 5]);
  });

  it("never decides on limits another process changed meanwhile", async () => {
    const writer = accountingOn();
    await writer.setUsageLimit(limit({ maxValue: 100 }));
    const call = { model: "m", username: "u", promptTokens: 1, completionTokens: 1, cost: 0 };
    await writer.trackUsage(call, { enforceLimits: true });
    await writer.trackUsage(call, { enforceLimits: true });
    // Another process turns this user off; the writer still holds the limits it read before.
    await accountingOn().setUsageLimit(limit({ scope: "USER", username: "u", maxValue: 0 }));
    await expect(writer.trackUsage(call, { enforceLimits: true })).rejects.toBeInstanceOf(QuotaExceededError);
    expect(await writer.tail(10)).toHaveLength(2);
  });

  it("a store opened on existing limits checks without looking up their filters", async () => {
    const first = accountingOn();
    await first.setUsageLimit(limit({ scope: "USER", username: "u", maxValue: 5 }));
    await first.setUsageLimit(limit({ scope: "TAG", tag: { key: "tenant", value: "t1" }, limitType: "cost", maxValue: 1 }));
    const restarted = accountingOn();
    await restarted.open();
    const sent = await messagesDuring(() => restarted.checkQuota({ model: "m", username: "u", tags: { tenant: "t1" }, cost: 0.01 }));
    expect(sent.filter((text) => /quota_(tag_)?filters/.test(text))).toEqual([]);
    expect((await restarted.checkQuota({ model: "m", username: "u", tags: { tenant: "t1" }, cost: 2 })).allowed).toBe(false);
  });

  it("plans its quota statements once per connection, not at every execution", async () => {
    const accounting = accountingOn();
    await accounting.setUsageLimit(limit({ maxValue: 1000 }));
    await accounting.setUsageLimit(limit({ scope: "USER", username: "u", limitType: "cost", maxValue: 10, intervalUnit: "hour_rolling" }));
    const call = { model: "m", username: "u", promptTokens: 3, completionTokens: 2, cost: 0.001 };
    for (let i = 0; i < 12; i++) {
      await accounting.checkQuota({ model: "m", username: "u", cost: 0.001 });
      await accounting.trackUsage(call, { enforceLimits: true });
    }
    // The store's pool holds the connections that ran them: ask one of them about its statements.
    const pool = await (accounting.store as PostgresqlStore).pool();
    const plans = (await pool.query("SELECT name, generic_plans, custom_plans FROM pg_prepared_statements WHERE name LIKE 'llm_acct_%' AND statement ~ 'quota_buckets'")).rows;
    expect(plans.length).toBeGreaterThan(0);
    for (const plan of plans) expect({ name: plan.name, custom: Number(plan.custom_plans) }).toEqual({ name: plan.name, custom: 0 });
    expect(plans.reduce((n, plan) => n + Number(plan.generic_plans), 0)).toBeGreaterThan(0);
  });

  it("takes reservations the same way: they count until committed, and expired ones are removed", async () => {
    const accounting = accountingOn();
    await accounting.setUsageLimit(limit({ maxValue: 2 }));
    const first = await accounting.reserve({ model: "m", inputTokens: 1, cost: 0.001, ttlMs: 1 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    // The first has expired: it no longer counts, and the next reservation's write removes it.
    const second = await accounting.reserve({ model: "m", inputTokens: 1, cost: 0.001 });
    const sent = await messagesDuring(() => accounting.reserve({ model: "m", inputTokens: 1, cost: 0.001 }));
    expect(sent).toHaveLength(1);
    await expect(accounting.reserve({ model: "m", inputTokens: 1, cost: 0.001 })).rejects.toBeInstanceOf(QuotaExceededError);
    await second.commit({ promptTokens: 1, completionTokens: 1, cost: 0.001 });
    void first;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    expect(Number((await client.query("SELECT count(*) AS n FROM quota_reservations")).rows[0].n)).toBe(1);
    await client.end();
  });
});
