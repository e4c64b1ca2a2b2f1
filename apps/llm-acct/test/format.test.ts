import { describe, expect, it } from "vitest";
import type { LimitStatus } from "@llm-accounting/core";
import { usageRatio } from "../src/components/format.js";

const status = (maxValue: number, used: number) => ({ limit: { maxValue }, used }) as unknown as LimitStatus;

describe("usageRatio", () => {
  it("is used over max, full for a used limit of 0, empty when unlimited", () => {
    expect(usageRatio(status(10, 8))).toBe(0.8);
    expect(usageRatio(status(0, 1))).toBe(1);
    expect(usageRatio(status(0, 0))).toBe(0);
    expect(usageRatio(status(-1, 1_000))).toBe(0);
  });
});
