import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { denialMessage, formatFixed2, formatUsd, scopeText, type UsageLimit } from "../../src/quota/index.js";
import { limit } from "./fixtures.js";

/** Oracle: the double's exact binary value, rounded to 2 decimals half-to-even with BigInt arithmetic. */
function exactFixed2(x: number): string {
  const bits = new DataView(new ArrayBuffer(8));
  bits.setFloat64(0, x);
  const raw = bits.getBigUint64(0);
  const negative = raw >> 63n === 1n;
  const exponentBits = Number((raw >> 52n) & 0x7ffn);
  const fraction = raw & ((1n << 52n) - 1n);
  const mantissa = exponentBits === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (exponentBits === 0 ? 1 : exponentBits) - 1075; // x = mantissa * 2^exponent
  let hundredths: bigint;
  if (exponent >= 0) hundredths = mantissa * 100n << BigInt(exponent);
  else {
    const den = 1n << BigInt(-exponent);
    const num = mantissa * 100n;
    hundredths = num / den;
    const twice = (num % den) * 2n;
    if (twice > den || (twice === den && hundredths % 2n === 1n)) hundredths += 1n;
  }
  const digits = hundredths.toString().padStart(3, "0");
  return `${negative ? "-" : ""}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

describe("formatFixed2 (Python's .2f)", () => {
  it.each([
    [0, "0.00"],
    [10, "10.00"],
    [1234.5, "1234.50"],
    [0.125, "0.12"],
    [0.375, "0.38"],
    [0.625, "0.62"],
    [0.875, "0.88"],
    [2.675, "2.67"],
    [1.005, "1.00"],
    [0.005, "0.01"],
    [0.015, "0.01"],
    [-0.125, "-0.12"],
    [-0.375, "-0.38"],
    [-2.5, "-2.50"],
    [-0.001, "-0.00"],
    [624730673165963.625, "624730673165963.62"],
    [-562949953421311.875, "-562949953421311.88"],
    [1e21, "1000000000000000000000.00"],
    [2 ** 70, "1180591620717411303424.00"],
  ])("%d → %s", (x, text) => {
    expect(formatFixed2(x)).toBe(text);
  });

  it("the oracle itself knows the tricky cases", () => {
    expect([0.125, 2.675, 0.015, -0.375, 3].map(exactFixed2)).toEqual(["0.12", "2.67", "0.01", "-0.38", "3.00"]);
  });

  it("matches the exact-value rounding on any double (property)", () => {
    const eighths = fc.integer({ min: -1_000_000, max: 1_000_000 }).map((k) => k / 8);
    const anyDouble = fc.double({ min: -1e25, max: 1e25, noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0));
    fc.assert(fc.property(fc.oneof(eighths, anyDouble), (x) => {
        expect(formatFixed2(x)).toBe(exactFixed2(x));
      }), { numRuns: 5000 });
  });
});

describe("scopeText (USER shows its model)", () => {
  it.each<[Partial<UsageLimit>, string]>([
    [{ scope: "GLOBAL", model: "m", username: "u" }, "GLOBAL"],
    [{ scope: "USER", username: "u" }, "USER (user: u)"],
    [{ scope: "USER", username: "u", model: "m" }, "USER (model: m, user: u)"],
    [{ scope: "USER", username: "*", model: "*" }, "USER (model: *, user: *)"],
    [{ scope: "USER", model: "m" }, "USER"],
    [{ scope: "USER", username: "" }, "USER"],
    [{ scope: "USER" }, "USER"],
    [{ scope: "MODEL", model: "gpt-4", username: "u" }, "MODEL (model: gpt-4)"],
    [{ scope: "MODEL", model: "*" }, "MODEL (model: *)"],
    [{ scope: "MODEL" }, "MODEL"],
    [{ scope: "CALLER", username: "user1", callerName: "app1" }, "CALLER (user: user1, caller: app1)"],
    [{ scope: "CALLER", callerName: "app1" }, "CALLER (caller: app1)"],
    [{ scope: "CALLER", username: "user1" }, "CALLER"],
    [{ scope: "CALLER" }, "CALLER"],
    [{ scope: "PROJECT", projectName: "p" }, "PROJECT (project: p)"],
    [{ scope: "PROJECT", projectName: "*" }, "PROJECT (project: *)"],
    [{ scope: "PROJECT", projectName: "" }, "PROJECT (no project)"],
    [{ scope: "PROJECT" }, "PROJECT (no project)"],
    [{ scope: "TEAM" as never }, "TEAM"],
  ])("%j → %s", (fields, text) => {
    expect(scopeText(limit(fields))).toBe(text);
  });
});

describe("formatUsd (money in messages, exact to the nano-dollar)", () => {
  it("keeps every decimal the amount has, at least 2", () => {
    expect(formatUsd(0.0065)).toBe("$0.0065");
    expect(formatUsd(10)).toBe("$10.00");
    expect(formatUsd(0.1)).toBe("$0.10");
    expect(formatUsd(2.675)).toBe("$2.675");
    expect(formatUsd(0.000000001)).toBe("$0.000000001");
    expect(formatUsd(1234567.123456789)).toBe("$1234567.123456789");
    expect(formatUsd(0)).toBe("$0.00");
    expect(formatUsd(-1)).toBe("-$1.00");
  });

  it("prints a cost denial of $0.0065 as such, and counts with 2 decimals as before", () => {
    expect(denialMessage(limit({ limitType: "cost", maxValue: 0.01, intervalUnit: "day" }), 0.0065, 0.0065)).toBe(
      "GLOBAL limit: $0.01 cost per 1 day exceeded. Current usage: $0.0065, request: $0.0065.",
    );
    expect(denialMessage(limit({ limitType: "input_tokens", maxValue: 0.0065 }), 1, 2)).toBe("GLOBAL limit: 0.01 input_tokens per 1 minute exceeded. Current usage: 1.00, request: 2.00.");
  });
});

describe("denialMessage", () => {
  it("reproduces the original's examples", () => {
    expect(denialMessage(limit({ maxValue: 10 }), 10, 1)).toBe("GLOBAL limit: 10.00 requests per 1 minute exceeded. Current usage: 10.00, request: 1.00.");
    expect(denialMessage(limit({ scope: "MODEL", model: "text-davinci-003", limitType: "input_tokens", maxValue: 1000, intervalUnit: "hour" }), 950, 51)).toBe(
      "MODEL (model: text-davinci-003) limit: 1000.00 input_tokens per 1 hour exceeded. Current usage: 950.00, request: 51.00.",
    );
    expect(denialMessage(limit({ scope: "CALLER", username: "user1", callerName: "app1", maxValue: 3, intervalUnit: "day" }), 3, 1)).toBe(
      "CALLER (user: user1, caller: app1) limit: 3.00 requests per 1 day exceeded. Current usage: 3.00, request: 1.00.",
    );
  });

  it("prints the stored type and unit strings and formats every number like Python", () => {
    expect(denialMessage(limit({ limitType: "cost", maxValue: 0.125, intervalUnit: "monthly" }), 0.375, 2.675)).toBe(
      "GLOBAL limit: $0.125 cost per 1 monthly exceeded. Current usage: $0.375, request: $2.675.",
    );
    expect(denialMessage(limit({ scope: "USER", username: "u", limitType: "total_tokens", maxValue: 5, intervalUnit: "second_rolling", intervalValue: 10 }), 4, 2)).toBe(
      "USER (user: u) limit: 5.00 total_tokens per 10 second_rolling exceeded. Current usage: 4.00, request: 2.00.",
    );
  });
});
