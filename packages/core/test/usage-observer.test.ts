import { describe, expect, it } from "vitest";
import { UsageBuffer, UsageObservers, ValidationError, type NewUsageRecord, type UsageBatchWriter, type UsageObserver } from "../src/index.js";

/** A writer that stores in memory, failing the first `failures` batches (a store that is down for a while). */
function flakyWriter(failures: number): UsageBatchWriter & { stored: NewUsageRecord[] } {
  let left = failures;
  const writer = {
    defaults: {},
    stored: [] as NewUsageRecord[],
    async trackNormalizedBatch(records: readonly NewUsageRecord[]) {
      if (left-- > 0) throw new Error("store unavailable");
      writer.stored.push(...records);
    },
  };
  return writer;
}

const collecting = (): UsageObserver & { seen: NewUsageRecord[][] } => {
  const seen: NewUsageRecord[][] = [];
  return { seen, onRecorded: (records) => void seen.push([...records]) };
};

describe("UsageObservers", () => {
  it("hands records to every attached observer, keeps going past one that throws, and detaches", () => {
    const errors: unknown[] = [];
    const first = collecting();
    const second = collecting();
    const observers = new UsageObservers([{ onRecorded: () => { throw new Error("exporter broke"); } }, first], (e) => errors.push(e));
    const detach = observers.add(second);
    const record = { model: "m" } as NewUsageRecord;
    observers.notify([record]);
    detach();
    observers.notify([record]);
    expect(first.seen).toHaveLength(2);
    expect(second.seen).toHaveLength(1);
    expect(errors.map((e) => (e as Error).message)).toEqual(["exporter broke", "exporter broke"]);
  });

  it("refuses an observer without onRecorded, naming the field", () => {
    expect(() => new UsageObservers().add({} as UsageObserver)).toThrow(ValidationError);
    expect(() => new UsageObservers().add({} as UsageObserver)).toThrow(/^observer must have an onRecorded/);
  });
});

describe("UsageBuffer observers", () => {
  it("sees each batch once, only after it is stored (not for a failed attempt)", async () => {
    const writer = flakyWriter(1);
    const early = collecting();
    const late = collecting();
    const buffer = new UsageBuffer(writer, { batchSize: 2, maxQueued: 10, retryBaseMs: 1, installExitHooks: false, onError: () => undefined, observers: [early] });
    buffer.observe(late);
    for (let i = 0; i < 3; i++) buffer.trackUsage({ model: "m", promptTokens: i, cost: 0.001 });
    await buffer.close();
    expect(writer.stored.map((r) => r.promptTokens)).toEqual([0, 1, 2]);
    expect(early.seen.flat().map((r) => r.promptTokens)).toEqual([0, 1, 2]);
    expect(late.seen.flat()).toEqual(writer.stored);
  });
});
