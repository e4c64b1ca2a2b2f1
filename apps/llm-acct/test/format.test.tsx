import { describe, expect, it } from "vitest";
import { render } from "ink-testing-library";
import stringWidth from "string-width";
import type { GroupUsageTotals, LimitStatus } from "@llm-accounting/core";
import { Breakdown } from "../src/components/Breakdown.js";
import { fit, usageRatio } from "../src/components/format.js";

const status = (maxValue: number, used: number) => ({ limit: { maxValue }, used }) as unknown as LimitStatus;

describe("usageRatio", () => {
  it("is used over max, full for a used limit of 0, empty when unlimited", () => {
    expect(usageRatio(status(10, 8))).toBe(0.8);
    expect(usageRatio(status(0, 1))).toBe(1);
    expect(usageRatio(status(0, 0))).toBe(0);
    expect(usageRatio(status(-1, 1_000))).toBe(0);
  });
});

describe("fit", () => {
  it("pads and cuts by terminal cells: CJK and emoji take two, combining marks none", () => {
    expect(fit("モデル", 8)).toBe("モデル  ");
    expect(stringWidth(fit("モデル", 8))).toBe(8);
    expect(fit("日本語のモデル名", 8)).toBe("日本語… ");
    expect(fit("日本語のモデル名", 7)).toBe("日本語…");
    expect(fit("👩‍💻dev", 4)).toBe("👩‍💻d…");
    expect(fit("e\u0301te\u0301", 5, "right")).toBe("  e\u0301te\u0301");
    expect(fit("plain-name", 6)).toBe("plain…");
  });
});

describe("views with wide names", () => {
  it("Breakdown rows with CJK names keep every column in line", () => {
    const group = (key: string) => ({ key, requests: 1, totalTokens: 10, promptTokens: 5, completionTokens: 5, costNanos: 1_000_000_000n }) as unknown as GroupUsageTotals;
    const { lastFrame } = render(<Breakdown rows={[group("gpt-4o"), group("通义千问-最新版本-超长的名字"), group("模型")]} dimension="model" sort="cost" width={80} height={10} />);
    const rows = (lastFrame() ?? "").split("\n").slice(1, 4);
    expect(new Set(rows.map((l) => stringWidth(l))).size).toBe(1);
    // The Requests column ends at the same cell on every row.
    expect(new Set(rows.map((l) => stringWidth(l.slice(0, l.indexOf(" 1 ") + 2)))).size).toBe(1);
  });
});
