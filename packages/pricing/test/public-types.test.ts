import { describe, expectTypeOf, it } from "vitest";
import type { ModelPriceInput, PricedUsage, Pricer, PriceQuote } from "@llm-accounting/core";
import { createPricer, type PriceDescription, type PricerOptions } from "../src/index.js";

// Compile-time checks (run by `tsc -p tsconfig.check.json` in `pnpm test`).
describe("public types", () => {
  it("creates a core Pricer from typed options, with explicit unpriced quotes", () => {
    expectTypeOf(createPricer).returns.toMatchTypeOf<Pricer>();
    expectTypeOf<PricerOptions["overrides"]>().toEqualTypeOf<readonly ModelPriceInput[] | undefined>();
    expectTypeOf(createPricer().quote).parameter(0).toEqualTypeOf<PricedUsage>();
    expectTypeOf(createPricer().quote).returns.toEqualTypeOf<PriceQuote>();
    expectTypeOf(createPricer().describePrice).returns.toEqualTypeOf<PriceDescription | undefined>();
  });
});
