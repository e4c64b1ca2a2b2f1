import { escapeJsonInvisibles } from "@llm-accounting/core";

/**
 * JSON for scripts: bigint becomes a decimal string (exact), Date an ISO-8601 string. Strings keep
 * their exact value; the control and bidi characters JSON allows raw are written as `\uXXXX`.
 */
export function toJson(value: unknown): string {
  return escapeJsonInvisibles(JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2));
}
