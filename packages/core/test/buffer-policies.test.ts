import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RecordRejectedError, StoreUnavailableError, UsageBuffer, type BufferErrorEvent, type NewUsageRecord, type UsageBatchWriter, type UsageBufferOptions, type UsageInput } from "../src/index.js";

// Every policy of UsageBuffer on a fake clock: the timings (flush interval, backoff, deadlines)
// are exact here, where a real store and real timers could only bound them.

/** A writer the test steers: each batch waits for `outcome()` (store, fail or hang) and is logged with the fake time. */
interface ScriptedWriter extends UsageBatchWriter {
  readonly stored: number[];
  readonly attempts: { at: number; tokens: number[] }[];
}

function scriptedWriter(outcome: (batch: readonly NewUsageRecord[], attempt: number) => Promise<void> | void = () => undefined): ScriptedWriter {
  const writer: ScriptedWriter = {
    defaults: {},
    stored: [],
    attempts: [],
    async trackNormalizedBatch(batch) {
      const tokens = batch.map((r) => r.promptTokens);
      writer.attempts.push({ at: Date.now(), tokens });
      await outcome(batch, writer.attempts.length);
      writer.stored.push(...tokens);
    },
  };
  return writer;
}

const call = (promptTokens: number): UsageInput => ({ model: "m", promptTokens });
const T0 = Date.parse("2025-06-01T00:00:00Z");

describe("UsageBuffer policies (fake timers)", () => {
  let events: BufferErrorEvent[];
  const buffers: UsageBuffer[] = [];
  const make = (writer: UsageBatchWriter, options: UsageBufferOptions) => {
    const buffer = new UsageBuffer(writer, { installExitHooks: false, onError: (e) => events.push(e), ...options });
    buffers.push(buffer);
    return buffer;
  };

  beforeEach(() => {
    events = [];
    vi.useFakeTimers({ now: T0, toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate", "clearImmediate", "Date"] });
  });
  afterEach(async () => {
    // Close all first: a buffer left open keeps its interval timer, which never runs out.
    const closing = buffers.splice(0).map((buffer) => buffer.close());
    await vi.runAllTimersAsync();
    await Promise.all(closing);
    vi.useRealTimers();
  });

  it("writes what is queued every flushIntervalMs, and at once when a batch is full", async () => {
    const writer = scriptedWriter();
    const buffer = make(writer, { flushIntervalMs: 1000, batchSize: 3 });
    buffer.trackUsage(call(1));
    await vi.advanceTimersByTimeAsync(999);
    expect(writer.stored).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(writer.attempts).toEqual([{ at: T0 + 1000, tokens: [1] }]);
    for (const n of [2, 3, 4]) buffer.trackUsage(call(n));
    // A full batch goes on the next turn of the event loop, not at the next interval.
    await vi.advanceTimersByTimeAsync(0);
    expect(writer.attempts.at(-1)).toEqual({ at: T0 + 1000, tokens: [2, 3, 4] });
    expect(buffer.stats()).toMatchObject({ queued: 0, written: 4, batches: 2 });
  });

  it("block: a call over maxQueued gets a promise that resolves once its record is queued", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const writer = scriptedWriter(() => gate);
    const buffer = make(writer, { flushIntervalMs: 1000, batchSize: 2, maxQueued: 2, onFull: "block" });
    expect(buffer.trackUsage(call(1))).toBeUndefined();
    expect(buffer.trackUsage(call(2))).toBeUndefined();
    await vi.advanceTimersByTimeAsync(0); // the full batch is being written, and held by the gate
    let admitted = false;
    const waiting = buffer.trackUsage(call(3))!;
    void waiting.then(() => (admitted = true));
    expect(waiting).toBeInstanceOf(Promise);
    expect(buffer.stats()).toMatchObject({ queued: 2, waiting: 1 });
    await vi.advanceTimersByTimeAsync(5000);
    expect(admitted).toBe(false);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(admitted).toBe(true);
    expect(buffer.stats()).toMatchObject({ queued: 1, waiting: 0, written: 2 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(writer.stored).toEqual([1, 2, 3]);
  });

  it("drop-oldest: a call over maxQueued discards the oldest queued record and counts it", async () => {
    const writer = scriptedWriter();
    const buffer = make(writer, { flushIntervalMs: 1000, batchSize: 3, maxQueued: 3, onFull: "drop-oldest" });
    for (const n of [1, 2, 3, 4, 5]) expect(buffer.trackUsage(call(n))).toBeUndefined();
    expect(buffer.stats()).toMatchObject({ queued: 3, dropped: 2 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(writer.stored).toEqual([3, 4, 5]);
    expect(events).toEqual([]);
  });

  it("spill: calls over maxQueued go to spill in arrival order, and a failing spill is reported", async () => {
    const spilled: number[][] = [];
    const writer = scriptedWriter();
    const buffer = make(writer, { flushIntervalMs: 1000, batchSize: 2, maxQueued: 2, onFull: "spill", spill: (records) => void spilled.push(records.map((r) => r.promptTokens ?? -1)) });
    for (const n of [1, 2, 3, 4, 5]) buffer.trackUsage(call(n));
    await buffer.flush();
    expect(spilled).toEqual([[3, 4], [5]]);
    expect(writer.stored).toEqual([1, 2]);
    expect(buffer.stats()).toMatchObject({ spilled: 3, written: 2 });

    const failing = make(scriptedWriter(), { batchSize: 1, maxQueued: 1, onFull: "spill", spill: () => Promise.reject(new Error("disk full")) });
    failing.trackUsage(call(6));
    failing.trackUsage(call(7));
    await failing.flush();
    expect(events.map((e) => [e.stage, e.records.map((r) => r.promptTokens), e.willRetry])).toEqual([["spill", [7], false]]);
  });

  it("retries a failed write with exponential backoff capped at retryMaxMs, keeping the records", async () => {
    const writer = scriptedWriter((_batch, attempt) => {
      if (attempt <= 4) throw new StoreUnavailableError(`down (${attempt})`);
    });
    const buffer = make(writer, { flushIntervalMs: 1000, retryBaseMs: 100, retryMaxMs: 300 });
    buffer.trackUsage(call(1));
    buffer.trackUsage(call(2));
    await vi.advanceTimersByTimeAsync(1000);
    expect(writer.attempts.map((a) => a.at - T0)).toEqual([1000]);
    await vi.advanceTimersByTimeAsync(99);
    expect(writer.attempts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1 + 200 + 300 + 300);
    // 100, 200, then 400 capped at 300, twice.
    expect(writer.attempts.map((a) => a.at - T0)).toEqual([1000, 1100, 1300, 1600, 1900]);
    expect(writer.attempts.every((a) => a.tokens.join() === "1,2")).toBe(true);
    expect(writer.stored).toEqual([1, 2]);
    expect(events.map((e) => [e.stage, e.attempt, e.willRetry])).toEqual([
      ["write", 1, true],
      ["write", 2, true],
      ["write", 3, true],
      ["write", 4, true],
    ]);
    expect(buffer.stats()).toMatchObject({ failedWrites: 4, written: 2, batches: 1, queued: 0 });
  });

  it("sets aside only the records the store refuses for good, without retrying them", async () => {
    const writer = scriptedWriter((batch) => {
      if (batch.some((r) => r.promptTokens === 13)) throw new RecordRejectedError("value too large");
    });
    const buffer = make(writer, { flushIntervalMs: 1000, batchSize: 8, maxQueued: 8 });
    for (let n = 10; n < 18; n++) buffer.trackUsage(call(n));
    await vi.advanceTimersByTimeAsync(0);
    expect(writer.stored.sort()).toEqual([10, 11, 12, 14, 15, 16, 17]);
    expect(events.map((e) => [e.stage, e.records.map((r) => r.promptTokens), e.willRetry])).toEqual([["reject", [13], false]]);
    expect(buffer.stats()).toMatchObject({ rejected: 1, failedWrites: 0, written: 7, queued: 0 });
  });

  it("gives up at the exit deadline on what the store did not take, and reports it", async () => {
    const writer = scriptedWriter(() => {
      throw new StoreUnavailableError("down");
    });
    const buffer = make(writer, { flushIntervalMs: 1000, retryBaseMs: 100, retryMaxMs: 100, exitTimeoutMs: 2000 });
    buffer.trackUsage(call(1));
    buffer.trackUsage(call(2));
    let done = false;
    const exiting = buffer.flushForExit().then(() => (done = true));
    await vi.advanceTimersByTimeAsync(1999);
    expect(done).toBe(false);
    expect(writer.attempts.length).toBeGreaterThan(10);
    await vi.advanceTimersByTimeAsync(1);
    await exiting;
    const exit = events.filter((e) => e.stage === "exit");
    expect(exit.map((e) => [e.records.map((r) => r.promptTokens), e.mayBeStored ?? false])).toEqual([[[1, 2], false]]);
    expect(String(exit[0]!.error)).toContain("not stored within exitTimeoutMs (2000 ms) of the process exiting");
    expect(buffer.stats()).toMatchObject({ abandoned: 2, queued: 0, written: 0 });
  });

  it("close() waits at most closeTimeoutMs for a store that stays down", async () => {
    const writer = scriptedWriter(() => {
      throw new StoreUnavailableError("down");
    });
    const buffer = make(writer, { closeTimeoutMs: 5000 });
    buffer.trackUsage(call(1));
    let closed = false;
    const closing = buffer.close().then(() => (closed = true));
    await vi.advanceTimersByTimeAsync(4999);
    expect(closed).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await closing;
    expect(events.filter((e) => e.stage === "exit").map((e) => e.records.length)).toEqual([1]);
    expect(() => buffer.trackUsage(call(2))).toThrow("the usage buffer is closed");
  });
});
