import { describe, expect, it } from "vitest";
import { normalizeUsage, USAGE_RECORD_COLUMNS, ValidationError, type UsageInput } from "../src/index.js";

const NOW = new Date("2025-06-01T12:00:00Z");
const norm = (input: UsageInput, defaults = {}) => normalizeUsage(input, defaults, NOW);

describe("normalizeUsage", () => {
  it("fills every default and derives totals", () => {
    expect(norm({ model: "m", promptTokens: 10, completionTokens: 5 })).toEqual({
      timestamp: NOW, model: "m", promptTokens: 10, completionTokens: 5, totalTokens: 15,
      localPromptTokens: 0, localCompletionTokens: 0, localTotalTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0,
      costNanos: 0n, costSource: null, executionTime: 0, callerName: null, username: null, project: null, session: null, provider: null, usageEstimated: false,
      cacheWrite1hTokens: 0, serviceTier: null,
    });
  });

  it("marks a record estimated only when the input says so, and refuses anything but a boolean", () => {
    expect(norm({ model: "m", estimated: true }).usageEstimated).toBe(true);
    expect([norm({ model: "m", estimated: false }), norm({ model: "m", estimated: null })].map((r) => r.usageEstimated)).toEqual([false, false]);
    expect(() => norm({ model: "m", estimated: "yes" as unknown as boolean })).toThrow('estimated must be true or false (got "yes")');
  });

  it("keeps an explicit total and derives from the local pair when the provider gave none", () => {
    expect(norm({ model: "m", promptTokens: 10, completionTokens: 5, totalTokens: 99 }).totalTokens).toBe(99);
    const local = norm({ model: "m", localPromptTokens: 7, localCompletionTokens: 3 });
    expect([local.localTotalTokens, local.totalTokens]).toEqual([10, 10]);
    expect(norm({ model: "m", promptTokens: 0, localPromptTokens: 7 }).totalTokens).toBe(0);
  });

  it("applies defaults only for null or absent names, not for empty strings", () => {
    const defaults = { projectName: "p", appName: "a", userName: "u" };
    expect(norm({ model: "m" }, defaults)).toMatchObject({ project: "p", callerName: "a", username: "u" });
    expect(norm({ model: "m", project: null, callerName: undefined }, defaults)).toMatchObject({ project: "p", callerName: "a" });
    expect(norm({ model: "m", project: "", username: "x" }, defaults)).toMatchObject({ project: "", username: "x" });
  });

  it("stores cost exactly in nano-dollars and parses timestamps", () => {
    const r = norm({ model: "m", cost: 0.0001, timestamp: "2025-01-01T00:00:00+01:00", session: "s" });
    expect(r.costNanos).toBe(100_000n);
    expect(r.timestamp.toISOString()).toBe("2024-12-31T23:00:00.000Z");
    expect(r.session).toBe("s");
  });

  const bad: [string, UsageInput, string][] = [
    ["empty model", { model: "" }, "model must be a non-empty string"],
    ["blank model", { model: "  \t" }, "model must be a non-empty string"],
    ["missing model", {} as UsageInput, "model must be a non-empty string"],
    ["negative tokens", { model: "m", promptTokens: -1 }, "promptTokens must be a non-negative integer (got -1)"],
    ["fractional tokens", { model: "m", completionTokens: 1.5 }, "completionTokens must be a non-negative integer (got 1.5)"],
    ["string tokens", { model: "m", cachedTokens: "3" as unknown as number }, 'cachedTokens must be a non-negative integer (got "3")'],
    ["NaN tokens", { model: "m", reasoningTokens: Number.NaN }, "reasoningTokens must be a non-negative integer (got NaN)"],
    ["negative cost", { model: "m", cost: -0.01 }, "cost must be a non-negative number of USD (got -0.01)"],
    ["infinite cost", { model: "m", cost: Number.POSITIVE_INFINITY }, "cost must be a non-negative number of USD (got Infinity)"],
    ["negative time", { model: "m", executionTime: -1 }, "executionTime must be a non-negative number of seconds (got -1)"],
    ["bad timestamp", { model: "m", timestamp: "2025-02-30" }, "timestamp is not a valid timestamp"],
    ["non-string user", { model: "m", username: 5 as unknown as string }, "username must be a string (got 5)"],
    ["an unknown cost source", { model: "m", cost: 1, costSource: "invoice" as "provider" }, 'costSource must be "provider", or another cost source: caller, price, unpriced (got "invoice")'],
    ["a provider cost without a cost", { model: "m", costSource: "provider" }, 'costSource "provider" needs a cost'],
    ["a service tier in capitals", { model: "m", serviceTier: "Batch" }, 'serviceTier must be a lower-case word of up to 32 letters, digits, _ or - (got "Batch")'],
    ["a service tier with a space", { model: "m", serviceTier: "on demand" }, "serviceTier must be a lower-case word"],
    ["a service tier that is not text", { model: "m", serviceTier: 2 as unknown as string }, "serviceTier must be a string (got 2)"],
    ["1-hour writes above the writes", { model: "m", promptTokens: 100, cacheWriteTokens: 10, cacheWrite1hTokens: 11 }, "cacheWrite1hTokens (11) must not exceed cacheWriteTokens (10), which counts every cache write"],
    ["1-hour writes without writes", { model: "m", promptTokens: 100, cacheWrite1hTokens: 1 }, "cacheWrite1hTokens (1) must not exceed cacheWriteTokens (0)"],
  ];
  it.each(bad)("rejects %s with a message naming the field", (_name, input, message) => {
    let error: unknown;
    try {
      norm(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message.startsWith(message)).toBe(true);
  });

  // The token fields come from core's column table: a column added there is checked and copied too.
  const tokenFields = USAGE_RECORD_COLUMNS.filter((c) => c.kind === "tokens").map((c) => c.field);
  it.each(tokenFields)("checks and copies %s, a token column of the table", (field) => {
    // Cache writes of 7 make room for any part of them the table adds (the 1-hour writes).
    expect(norm({ model: "m", promptTokens: 1000, cacheWriteTokens: 7, [field]: 7 })[field]).toBe(7);
    expect(() => norm({ model: "m", [field]: -1 })).toThrow(`${field} must be a non-negative integer (got -1)`);
  });

  it("keeps the service tier as given, null when absent", () => {
    expect(norm({ model: "m", serviceTier: "flex" }).serviceTier).toBe("flex");
    expect(norm({ model: "m" }).serviceTier).toBeNull();
  });

  it("records who stated a cost: the caller by default, or the provider", () => {
    expect(norm({ model: "m", cost: 0.5 }).costSource).toBe("caller");
    expect(norm({ model: "m", cost: 0.5, costSource: "caller" }).costSource).toBe("caller");
    expect(norm({ model: "m", cost: 0.5, costSource: "provider" })).toMatchObject({ costNanos: 500_000_000n, costSource: "provider" });
    expect(norm({ model: "m", costSource: null }).costSource).toBeNull();
    // A stored record spread into an input replays its cost as the caller's, as before.
    expect(norm({ model: "m", cost: 0.5, costSource: "price" }).costSource).toBe("caller");
    expect(norm({ model: "m", costSource: "unpriced" }).costSource).toBeNull();
  });

  it("keeps the 1-hour cache writes as a part of the writes (old callers: 0, all 5-minute)", () => {
    expect(norm({ model: "m", promptTokens: 100, cacheWriteTokens: 10, cacheWrite1hTokens: 10 })).toMatchObject({ cacheWriteTokens: 10, cacheWrite1hTokens: 10 });
    expect(norm({ model: "m", promptTokens: 100, cacheWriteTokens: 10 }).cacheWrite1hTokens).toBe(0);
  });

  it("reports the first bad token count in table order, before the cost", () => {
    expect(() => norm({ model: "m", cost: -1, reasoningTokens: -1, completionTokens: -2 })).toThrow("completionTokens must be");
  });

  it("lists a record's fields in table order, tags last", () => {
    expect(Object.keys(norm({ model: "m", tags: { a: "b" } }))).toEqual([...USAGE_RECORD_COLUMNS.map((c) => c.field), "tags"]);
  });

  it("keeps the field and the reason apart, the message joining them", () => {
    let error: unknown;
    try {
      norm({ model: "m", promptTokens: -5 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const { field, reason, message } = error as ValidationError;
    expect([field, reason]).toEqual(["promptTokens", "must be a non-negative integer (got -5)"]);
    expect(message).toBe(`${field} ${reason}`);
  });
});
