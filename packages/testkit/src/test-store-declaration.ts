import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { STORE_CAPABILITIES, STORE_CONTRACT_VERSION, type StoreCapability, type UsageStore } from "@llm-accounting/core";
import { freshStore } from "./fresh-store.js";
import type { TestStoreOptions } from "./test-store-options.js";

/**
 * What a store says about itself: the contract version it implements and its capabilities, which
 * must name exactly the optional methods it has (the facade and the kit choose by them).
 */
export function testStoreDeclaration(options: TestStoreOptions): void {
  describe(`store contract, declaration: ${options.name}`, () => {
    let store: UsageStore;
    beforeEach(async () => {
      store = await freshStore(options);
    });
    afterEach(async () => {
      await store?.close();
    });

    it("implements the contract version of this core", () => {
      expect(store.contractVersion).toBe(STORE_CONTRACT_VERSION);
    });

    it("declares known capabilities, each once", () => {
      const known = Object.keys(STORE_CAPABILITIES);
      expect(store.capabilities.filter((c) => !known.includes(c))).toEqual([]);
      expect(new Set(store.capabilities).size).toBe(store.capabilities.length);
    });

    it("has the methods of every capability it declares and none of the others", () => {
      const methods = store as unknown as Record<string, unknown>;
      for (const [capability, names] of Object.entries(STORE_CAPABILITIES)) {
        const declared = store.capabilities.includes(capability as StoreCapability);
        for (const name of names) expect(typeof methods[name], `${capability}: ${name}`).toBe(declared ? "function" : "undefined");
      }
    });

    it("agrees with what the kit was told it cannot do", () => {
      for (const part of ["agentImport", "alerts"] as const) {
        if (options.capabilities?.[part] !== undefined) expect(store.capabilities.includes(part), part).toBe(options.capabilities[part]);
      }
    });
  });
}
