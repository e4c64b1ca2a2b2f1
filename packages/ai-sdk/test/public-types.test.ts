import type { LanguageModelMiddleware } from "ai";
import { describe, expectTypeOf, it } from "vitest";
import type { Accounting } from "@llm-accounting/core";
import { accountingMiddleware, type AccountingMiddlewareOptions } from "../src/index.js";

// Compile-time checks (run by `tsc -p tsconfig.check.json` in `pnpm test`).
describe("public types", () => {
  it("returns an AI SDK middleware from typed options", () => {
    expectTypeOf(accountingMiddleware).returns.toMatchTypeOf<LanguageModelMiddleware>();
    expectTypeOf<AccountingMiddlewareOptions["accounting"]>().toEqualTypeOf<Accounting>();
    expectTypeOf<AccountingMiddlewareOptions["guard"]>().toEqualTypeOf<boolean | undefined>();
  });
});
