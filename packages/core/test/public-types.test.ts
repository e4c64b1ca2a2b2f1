import { describe, expectTypeOf, it } from "vitest";
import {
  Accounting,
  QuotaExceededError,
  ValidationError,
  type AccountingOptions,
  type QuotaDecision,
  type RemainingLimit,
  type UsageInput,
  type UsageLimit,
  type LimitTag,
  type UsageRecord,
  type UsageRecordJson,
  type UsageRecordResult,
  type UsageStats,
  type UsageStatsJson,
  type UsageStore,
} from "../src/index.js";
import type { Reservation } from "../src/index.js";

// Compile-time checks of the public API (run by `tsc -p tsconfig.check.json` in `pnpm test`).
describe("public types", () => {
  it("options and inputs are typed, with only model required", () => {
    expectTypeOf<AccountingOptions["store"]>().toEqualTypeOf<UsageStore>();
    expectTypeOf<{ model: string }>().toMatchTypeOf<UsageInput>();
    expectTypeOf<UsageInput["promptTokens"]>().toEqualTypeOf<number | null | undefined>();
    expectTypeOf<UsageInput["timestamp"]>().toEqualTypeOf<Date | string | null | undefined>();
    // @ts-expect-error a model is required
    const missing: UsageInput = { promptTokens: 1 };
    void missing;
  });

  it("results are typed, money both as USD and exact nano-dollars", () => {
    expectTypeOf<Accounting["trackUsage"]>().returns.resolves.toEqualTypeOf<UsageRecordResult>();
    expectTypeOf<UsageRecordResult>().toMatchTypeOf<UsageRecord>();
    expectTypeOf<UsageRecord["costNanos"]>().toEqualTypeOf<bigint>();
    expectTypeOf<UsageStats["sumCost"]>().toEqualTypeOf<number>();
    expectTypeOf<UsageStats["sumCostNanos"]>().toEqualTypeOf<bigint>();
    expectTypeOf<Accounting["checkQuota"]>().returns.resolves.toEqualTypeOf<QuotaDecision>();
    expectTypeOf<QuotaDecision["retryAfterSeconds"]>().toEqualTypeOf<number | null>();
    expectTypeOf<Accounting["getRemainingLimits"]>().returns.resolves.toEqualTypeOf<RemainingLimit[]>();
    expectTypeOf<Accounting["reserve"]>().returns.resolves.toEqualTypeOf<Reservation>();
    expectTypeOf<UsageLimit["scope"]>().toEqualTypeOf<"GLOBAL" | "MODEL" | "USER" | "CALLER" | "PROJECT" | "TAG">();
    expectTypeOf<UsageLimit["tag"]>().toEqualTypeOf<LimitTag | null | undefined>();
  });

  it("results say their JSON form: USD numbers beside exact nano-dollar strings", () => {
    expectTypeOf<ReturnType<UsageRecordResult["toJSON"]>>().toEqualTypeOf<UsageRecordJson>();
    expectTypeOf<UsageRecordJson["costNanos"]>().toEqualTypeOf<string>();
    expectTypeOf<UsageRecordJson["cost"]>().toEqualTypeOf<number>();
    expectTypeOf<UsageRecordJson["timestamp"]>().toEqualTypeOf<string>();
    expectTypeOf<ReturnType<Awaited<ReturnType<Accounting["getPeriodStats"]>>["toJSON"]>>().toEqualTypeOf<UsageStatsJson>();
    expectTypeOf<UsageStatsJson["sumCostNanos"]>().toEqualTypeOf<string>();
    expectTypeOf<ReturnType<Awaited<ReturnType<Accounting["tail"]>>[number]["toJSON"]>>().toEqualTypeOf<UsageRecordJson>();
  });

  it("errors carry typed details", () => {
    expectTypeOf<QuotaExceededError["decision"]>().toEqualTypeOf<QuotaDecision>();
    expectTypeOf<QuotaExceededError["code"]>().toEqualTypeOf<string>();
    expectTypeOf<ValidationError["field"]>().toEqualTypeOf<string>();
  });

  it("guard passes the call's result through", () => {
    expectTypeOf<ReturnType<typeof guardString>>().toEqualTypeOf<Promise<string>>();
  });
});

function guardString(accounting: Accounting) {
  return accounting.guard({ model: "m" }, async () => "text", (text) => ({ completionTokens: text.length }));
}
