import OpenAI from "openai";
import { describe, expectTypeOf, it } from "vitest";
import type { Accounting, UsageSink } from "@llm-accounting/core";
import { flushUsage, trackOpenAI, type TrackOpenAIOptions } from "../src/index.js";

// Compile-time checks (run by `tsc -p tsconfig.check.json` in `pnpm test`).
describe("public types", () => {
  it("returns the client's own type and takes typed options", () => {
    expectTypeOf(trackOpenAI<OpenAI>).returns.toEqualTypeOf<OpenAI>();
    expectTypeOf<TrackOpenAIOptions["accounting"]>().toEqualTypeOf<Accounting>();
    expectTypeOf<TrackOpenAIOptions["sink"]>().toEqualTypeOf<UsageSink | undefined>();
    expectTypeOf<TrackOpenAIOptions["onError"]>().toEqualTypeOf<((error: unknown) => void) | undefined>();
    expectTypeOf(flushUsage).returns.resolves.toBeVoid();
    // @ts-expect-error accounting is required
    const missing: TrackOpenAIOptions = { guard: true };
    void missing;
  });
});
