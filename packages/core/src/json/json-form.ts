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
 * Gives `value` a `toJSON` method. Non-enumerable, so the value still compares, spreads and
 * clones as the plain data it is; a spread copy loses it (convert such copies explicitly).
 */
export function withJsonForm<T extends object, J>(value: T, toJson: (value: T) => J): T & JsonForm<J> {
  return Object.defineProperty(value, "toJSON", { value: () => toJson(value), enumerable: false, writable: true, configurable: true }) as T & JsonForm<J>;
}

/** Exact nano-dollars as a JSON-safe decimal string. */
export const nanosJson = (nanos: bigint): string => nanos.toString();
