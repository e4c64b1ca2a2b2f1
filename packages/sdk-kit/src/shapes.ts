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
