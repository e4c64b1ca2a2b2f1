/** JSON for scripts: bigint becomes a decimal string (exact), Date an ISO-8601 string. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}
