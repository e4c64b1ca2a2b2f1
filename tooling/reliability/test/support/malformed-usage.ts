import type { UsageInput } from "@llm-accounting/core";

/** One bad call: what a caller (or a provider's response) might hand `trackUsage`, and the field to blame. */
export interface MalformedUsage {
  readonly name: string;
  readonly input: unknown;
  readonly field: string;
}

const ok: UsageInput = { model: "gpt-4o", promptTokens: 10, completionTokens: 5, cost: 0.01 };
const MEGABYTE = "m".repeat(1024 * 1024);
const TOKEN_FIELDS = ["promptTokens", "completionTokens", "totalTokens", "localPromptTokens", "localCompletionTokens", "localTotalTokens", "cachedTokens", "cacheWriteTokens", "reasoningTokens"] as const;
const NAME_FIELDS = ["model", "callerName", "username", "project", "session", "provider"] as const;
const BAD_COUNTS: [string, unknown][] = [["negative", -1], ["fraction", 1.5], ["NaN", Number.NaN], ["Infinity", Number.POSITIVE_INFINITY], ["beyond 2^53", 2 ** 53 + 2], ["a string", "10"], ["a bigint", 10n], ["an object", { n: 1 }], ["true", true]];
const BAD_AMOUNTS: [string, unknown][] = [["negative", -0.01], ["NaN", Number.NaN], ["Infinity", Number.POSITIVE_INFINITY], ["a string", "0.01"], ["a bigint", 1n], ["an array", [1]]];

/** The corpus: every field given every kind of wrong value, plus whole inputs of the wrong shape. */
export const MALFORMED_USAGE: readonly MalformedUsage[] = [
  { name: "null instead of a call", input: null, field: "usage" },
  { name: "a string instead of a call", input: "gpt-4o", field: "usage" },
  { name: "a number instead of a call", input: 42, field: "usage" },
  { name: "no model", input: { promptTokens: 1 }, field: "model" },
  { name: "empty model", input: { ...ok, model: "" }, field: "model" },
  { name: "blank model", input: { ...ok, model: "   " }, field: "model" },
  { name: "model not a string", input: { ...ok, model: 7 }, field: "model" },
  ...TOKEN_FIELDS.flatMap((field) => BAD_COUNTS.map(([what, value]) => ({ name: `${field} ${what}`, input: { ...ok, promptTokens: 100, [field]: value }, field }))),
  ...BAD_AMOUNTS.map(([what, value]) => ({ name: `cost ${what}`, input: { ...ok, cost: value }, field: "cost" })),
  { name: "cost of a trillion dollars beyond the exact range", input: { ...ok, cost: 1e19 }, field: "cost" },
  ...BAD_AMOUNTS.map(([what, value]) => ({ name: `executionTime ${what}`, input: { ...ok, executionTime: value }, field: "executionTime" })),
  { name: "cache reads and writes beyond the input", input: { ...ok, promptTokens: 10, cachedTokens: 8, cacheWriteTokens: 8 }, field: "cacheWriteTokens" },
  { name: "timestamp that is no date", input: { ...ok, timestamp: "yesterday-ish" }, field: "timestamp" },
  { name: "timestamp month 13", input: { ...ok, timestamp: "2025-13-45T00:00:00Z" }, field: "timestamp" },
  { name: "timestamp an invalid Date", input: { ...ok, timestamp: new Date(Number.NaN) }, field: "timestamp" },
  { name: "timestamp an object", input: { ...ok, timestamp: { at: 1 } }, field: "timestamp" },
  ...NAME_FIELDS.filter((f) => f !== "model").map((field) => ({ name: `${field} not a string`, input: { ...ok, [field]: 12 }, field })),
  // What a database cannot keep: PostgreSQL text holds no NUL; an index row has a size limit.
  ...NAME_FIELDS.map((field) => ({ name: `${field} with a NUL character`, input: { ...ok, [field]: "a\u0000b" }, field })),
  ...NAME_FIELDS.map((field) => ({ name: `${field} of a megabyte`, input: { ...ok, [field]: MEGABYTE }, field })),
  // No UTF-8 form: a store would keep U+FFFD instead, silently changing the name.
  ...NAME_FIELDS.map((field) => ({ name: `${field} with an unpaired surrogate`, input: { ...ok, [field]: "x\ud800y" }, field })),
];

/** One bad usage limit and the field to blame. */
export interface MalformedLimit {
  readonly name: string;
  readonly input: unknown;
  readonly field: string;
}

const goodLimit = { scope: "MODEL", limitType: "cost", maxValue: 5, intervalUnit: "day", intervalValue: 1, model: "gpt-4o", username: null, callerName: null, projectName: null };

/** Limits a user might type or a config file might hold. */
export const MALFORMED_LIMITS: readonly MalformedLimit[] = [
  { name: "not an object", input: "MODEL", field: "limit" },
  { name: "scope in lower case", input: { ...goodLimit, scope: "model" }, field: "scope" },
  { name: "unknown scope", input: { ...goodLimit, scope: "TEAM" }, field: "scope" },
  { name: "unknown limit type", input: { ...goodLimit, limitType: "money" }, field: "limitType" },
  { name: "unknown unit", input: { ...goodLimit, intervalUnit: "fortnight" }, field: "intervalUnit" },
  ...[0, -1, 1.5, "1", Number.NaN].map((value) => ({ name: `interval ${String(value)}`, input: { ...goodLimit, intervalValue: value }, field: "intervalValue" })),
  ...[-2, -0.5, Number.NaN, Number.POSITIVE_INFINITY, "5", null].map((value) => ({ name: `max ${String(value)}`, input: { ...goodLimit, maxValue: value }, field: "maxValue" })),
  { name: "PROJECT scope without a project", input: { ...goodLimit, scope: "PROJECT" }, field: "projectName" },
  { name: "model with a NUL", input: { ...goodLimit, model: "gpt\u00004o" }, field: "model" },
  { name: "user of a megabyte", input: { ...goodLimit, username: MEGABYTE }, field: "username" },
  { name: "caller not a string", input: { ...goodLimit, callerName: 3 }, field: "callerName" },
  { name: "project with an unpaired surrogate", input: { ...goodLimit, scope: "PROJECT", projectName: "p\ud800" }, field: "projectName" },
];
