import { describe, expect, it } from "vitest";
import { formatNanos, MAX_NANOS, nanosToUsd, usdToNanos } from "../src/index.js";

describe("money", () => {
  it("converts USD to nano-dollars without binary noise", () => {
    expect(usdToNanos(0.1)).toBe(100_000_000n);
    expect(usdToNanos(0.0001)).toBe(100_000n);
    expect(usdToNanos(1.23)).toBe(1_230_000_000n);
    expect(usdToNanos(0.000000001)).toBe(1n);
    expect(usdToNanos(0.0000000004)).toBe(0n);
    expect(usdToNanos(0.0000000005)).toBe(1n);
    expect(usdToNanos(123456.789)).toBe(123_456_789_000_000n);
    expect(usdToNanos(1e-12)).toBe(0n);
    expect(usdToNanos(0)).toBe(0n);
  });

  it("agrees with exact decimal arithmetic for amounts of every size and precision", () => {
    for (let i = 0; i < 20_000; i++) {
      // k × 10^-d with up to 15 significant digits: the double's shortest text is exactly that decimal.
      const digits = 1 + Math.floor(Math.random() * 15);
      const k = BigInt(Math.floor(Math.random() * 10 ** digits));
      const d = Math.floor(Math.random() * 16);
      const usd = Number(`${k}e-${d}`);
      let expected: bigint;
      if (d <= 9) expected = k * 10n ** BigInt(9 - d);
      else {
        const divisor = 10n ** BigInt(d - 9);
        expected = k / divisor + ((k % divisor) * 2n >= divisor ? 1n : 0n);
      }
      if (expected > MAX_NANOS) {
        expect(() => usdToNanos(usd), `${k}e-${d}`).toThrow(/at most 9223372036\.854775807 USD/);
        continue;
      }
      expect(usdToNanos(usd), `${k}e-${d}`).toBe(expected);
      expect(usdToNanos(-usd), `-${k}e-${d}`).toBe(-expected);
    }
  });

  it("refuses amounts a store's 64-bit nano-dollar column cannot hold, and takes the largest it can", () => {
    expect(usdToNanos(9_223_372_036.85)).toBe(9_223_372_036_850_000_000n);
    expect(() => usdToNanos(1e19, "cost")).toThrow("cost must be at most 9223372036.854775807 USD in absolute value (got 10000000000000000000)");
    expect(() => usdToNanos(-1e10, "cost")).toThrow(/cost must be at most/);
  });

  it("rejects non-finite amounts naming the field", () => {
    expect(() => usdToNanos(Number.NaN, "cost")).toThrow("cost must be a finite number");
    expect(() => usdToNanos(Number.POSITIVE_INFINITY)).toThrow(/finite/);
  });

  it("converts nano-dollars back to the nearest USD number", () => {
    expect(nanosToUsd(1_000_000_000n)).toBe(1);
    expect(nanosToUsd(100_000n * 10_000n)).toBe(1);
    expect(nanosToUsd(12_500_000n)).toBe(0.0125);
    expect(nanosToUsd(-1n)).toBe(-1e-9);
    expect(nanosToUsd(123_456_789_012_345_678n)).toBe(123456789.012345678);
  });

  it("round-trips every amount with up to 9 decimals", () => {
    for (let i = 0; i < 2000; i++) {
      const nanos = BigInt(Math.floor(Math.random() * 1e15));
      expect(usdToNanos(nanosToUsd(nanos))).toBe(nanos);
    }
  });

  it("formats with fixed decimals, rounding half up exactly", () => {
    expect(formatNanos(1_000_000_000n, 4)).toBe("1.0000");
    expect(formatNanos(125_000_000n, 2)).toBe("0.13");
    expect(formatNanos(124_999_999n, 2)).toBe("0.12");
    expect(formatNanos(0n, 4)).toBe("0.0000");
    expect(formatNanos(-5_000_000n, 2)).toBe("-0.01");
    expect(formatNanos(42_000_000_000n, 0)).toBe("42");
  });
});
