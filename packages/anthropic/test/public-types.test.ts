import Anthropic from "@anthropic-ai/sdk";
import { describe, expectTypeOf, it } from "vitest";
import type { Accounting, UsageSink } from "@llm-accounting/core";
import { flushUsage, trackAnthropic, type TrackAnthropicOptions } from "../src/index.js";

// Compile-time checks (run by `tsc -p tsconfig.check.json` in `pnpm test`).
describe("public types", () => {
  it("returns the client's own type and takes typed options", () => {
    expectTypeOf(trackAnthropic<Anthropic>).returns.toEqualTypeOf<Anthropic>();
    expectTypeOf<TrackAnthropicOptions["accounting"]>().toEqualTypeOf<Accounting>();
    expectTypeOf<TrackAnthropicOptions["sink"]>().toEqualTypeOf<UsageSink | undefined>();
    expectTypeOf<TrackAnthropicOptions["onError"]>().toEqualTypeOf<((error: unknown) => void) | undefined>();
    expectTypeOf(flushUsage).returns.resolves.toBeVoid();
    // @ts-expect-error accounting is required
    const missing: TrackAnthropicOptions = { guard: true };
    void missing;
  });
});
