/** A plain JSON object, as the SDKs parse request bodies, responses and stream items. */
export type JsonObject = Record<string, unknown>;

/** True for a non-null, non-array object. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The value when it is a non-empty string. */
export function stringOf(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The value when it is a non-negative integer (a token count), else 0. */
export function countOf(value: unknown): number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : 0;
}

/** A cost in USD a provider reports in its usage (OpenRouter's `usage.cost`), when it is a finite non-negative number. */
export function reportedCostOf(usage: unknown): number | undefined {
  const cost = isObject(usage) ? usage.cost : undefined;
  return typeof cost === "number" && Number.isFinite(cost) && cost >= 0 ? cost : undefined;
}

/**
 * The service tier a response names, as llm-accounting records it: lower-case, OpenAI's `default`
 * as `standard`; undefined when absent or not a word a store keeps (the call is recorded anyway).
 */
export function serviceTierOf(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const tier = value.toLowerCase();
  if (!/^[a-z][a-z0-9_-]{0,31}$/.test(tier)) return undefined;
  return tier === "default" ? "standard" : tier;
}
