/**
 * A value returned by the facade that `JSON.stringify` accepts: its `toJSON` gives the form `J`,
 * where exact nano-dollar amounts (bigints, which `JSON.stringify` refuses) are decimal strings
 * and USD amounts numbers beside them.
 */
export interface JsonForm<J> {
  /** The value's JSON form (called by `JSON.stringify`). */
  toJSON(): J;
}

/**
 * A shallow copy of the plain-data `value` with a `toJSON` method. The copy leaves objects a store
 * may cache or freeze untouched; the method is non-enumerable, so the result still compares,
 * spreads and clones as plain data (a spread copy loses it: convert such copies explicitly).
 */
export function withJsonForm<T extends object, J>(value: T, toJson: (value: T) => J): T & JsonForm<J> {
  const copy = { ...value };
  return Object.defineProperty(copy, "toJSON", { value: () => toJson(copy), enumerable: false, writable: true, configurable: true }) as T & JsonForm<J>;
}

/** Exact nano-dollars as a JSON-safe decimal string. */
export const nanosJson = (nanos: bigint): string => nanos.toString();
