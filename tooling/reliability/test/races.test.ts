import { afterAll, describe, expect, it } from "vitest";
import { Accounting, type NewUsageLimit } from "@llm-accounting/core";
import { race } from "../../bench/race.mjs";
import { BACKENDS, freshStore, removeFreshStores, type FreshStore } from "./support/stores.js";

// Real processes racing one budget, as a fleet of workers would: the guarded write must admit
// exactly what the limit allows, by count and by cost, and store exactly that.
afterAll(removeFreshStores, 180_000);

const global = (limitType: NewUsageLimit["limitType"], maxValue: number): NewUsageLimit => ({
  scope: "GLOBAL", limitType, maxValue, intervalUnit: "day", intervalValue: 1, model: null, username: null, callerName: null, projectName: null,
});

async function withLimit(store: FreshStore, limit: NewUsageLimit): Promise<void> {
  const accounting = new Accounting({ store: store.open() });
  await accounting.setUsageLimit(limit);
  await accounting.close();
}

async function storedRaceRows(store: FreshStore): Promise<{ rows: number; costNanos: bigint }> {
  const accounting = new Accounting({ store: store.open() });
  try {
    const rows = (await accounting.tail(1_000_000)).filter((r) => r.model === "race");
    return { rows: rows.length, costNanos: rows.reduce((sum, r) => sum + r.costNanos, 0n) };
  } finally {
    await accounting.close();
  }
}

describe.each(BACKENDS)("racing processes on %s", (backend) => {
  it("4 processes admit exactly a 40-request limit", async () => {
    const store = await freshStore(backend);
    await withLimit(store, global("requests", 40));
    const result = await race(backend, store.location, 4, 20);
    expect(result).toEqual({ admitted: 40, denied: 40, errors: 0, messages: [] });
    expect((await storedRaceRows(store)).rows).toBe(40);
  });

  it("4 processes admit exactly a $0.05 cost limit at $0.001 a call", async () => {
    const store = await freshStore(backend);
    await withLimit(store, global("cost", 0.05));
    const result = await race(backend, store.location, 4, 20);
    expect(result).toEqual({ admitted: 50, denied: 30, errors: 0, messages: [] });
    expect(await storedRaceRows(store)).toEqual({ rows: 50, costNanos: 50_000_000n });
  });
});
