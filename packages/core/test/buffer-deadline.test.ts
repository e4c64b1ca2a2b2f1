import { describe, expect, it } from "vitest";
import { UsageBuffer, ValidationError, type BufferErrorEvent, type NewUsageRecord, type UsageBatchWriter } from "../src/index.js";

/** A writer whose batches stay in progress until the test lets them finish, as a slow store would. */
function heldWriter(): UsageBatchWriter & { stored: NewUsageRecord[]; finish(): void; started: Promise<void> } {
  let release: () => void = () => undefined;
  let started: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const writer = {
    defaults: {},
    stored: [] as NewUsageRecord[],
    started: new Promise<void>((resolve) => (started = resolve)),
    finish: () => release(),
    async trackNormalizedBatch(records: readonly NewUsageRecord[]) {
      started();
      await gate;
      writer.stored.push(...records);
    },
  };
  return writer;
}

describe("UsageBuffer deadlines", () => {
  it("hands back held records as inputs that replay to the same row, the estimated flag included", async () => {
    const writer = heldWriter();
    const events: BufferErrorEvent[] = [];
    const buffer = new UsageBuffer(writer, { batchSize: 10, maxQueued: 100, closeTimeoutMs: 10, installExitHooks: false, onError: (e) => events.push(e) });
    buffer.trackUsage({ model: "m", promptTokens: 1, estimated: true });
    buffer.trackUsage({ model: "m", promptTokens: 2 });
    await writer.started;
    await buffer.close();
    writer.finish();
    expect(events.flatMap((e) => e.records.map((r) => [r.promptTokens, r.estimated ?? false]))).toEqual([
      [1, true],
      [2, false],
    ]);
  });

  it("reports a batch whose write is still running at the close deadline as maybe stored, apart from the rest", async () => {
    const writer = heldWriter();
    const events: BufferErrorEvent[] = [];
    const buffer = new UsageBuffer(writer, { batchSize: 10, maxQueued: 100, closeTimeoutMs: 50, installExitHooks: false, onError: (e) => events.push(e) });
    for (let i = 0; i < 15; i++) buffer.trackUsage({ model: "m", promptTokens: i });
    await writer.started;
    await buffer.close();
    expect(events.map((e) => [e.stage, e.records.length, e.mayBeStored ?? false])).toEqual([
      ["exit", 10, true],
      ["exit", 5, false],
    ]);
    expect(buffer.stats().abandoned).toBe(15);
    // The write that was running does land: replaying those ten would have stored them twice.
    writer.finish();
    await new Promise((resolve) => setImmediate(resolve));
    expect(writer.stored.map((r) => r.promptTokens)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("refuses a deadline longer than Node's timers keep, which would fire at once", () => {
    const writer = heldWriter();
    expect(() => new UsageBuffer(writer, { closeTimeoutMs: 3e9, installExitHooks: false })).toThrow(ValidationError);
    expect(() => new UsageBuffer(writer, { closeTimeoutMs: 3e9, installExitHooks: false })).toThrow("closeTimeoutMs must be at most 2147483647 ms");
    expect(() => new UsageBuffer(writer, { exitTimeoutMs: 2 ** 31, installExitHooks: false })).toThrow(/exitTimeoutMs/);
  });
});
