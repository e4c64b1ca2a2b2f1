import { STORE_CAPABILITIES, type StoreCapability, type UsageStore } from "@llm-accounting/core";

/**
 * A view of `store` without some optional parts of the contract: their methods read as absent
 * and `capabilities` leaves them out, so the facade and the kit take their fallbacks. For running
 * the kit on the smallest store an implementation could be (`withoutParts(store)` hides every part).
 */
export function withoutParts<S extends UsageStore>(store: S, parts: readonly StoreCapability[] = Object.keys(STORE_CAPABILITIES) as StoreCapability[]): S {
  const hidden = new Set<PropertyKey>(parts.flatMap((part) => STORE_CAPABILITIES[part]));
  const capabilities = store.capabilities.filter((c) => !parts.includes(c));
  return new Proxy(store, {
    get(target, key) {
      if (key === "capabilities") return capabilities;
      if (hidden.has(key)) return undefined;
      const value: unknown = Reflect.get(target, key, target);
      // Bound to the store itself: its private fields are not reachable through the proxy.
      return typeof value === "function" ? value.bind(target) : value;
    },
    has: (target, key) => !hidden.has(key) && Reflect.has(target, key),
  });
}
