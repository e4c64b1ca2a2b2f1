import { describe, expect, it } from "vitest";
import { convertedSums, convertNanos, dayText, ExchangeRates, formatMoney, parseRate, scaledDecimal, ValidationError, type ExchangeRate } from "../src/index.js";

const rate = (day: string, currency: string, text: string): ExchangeRate => ({ day, currency, scaled: parseRate(text, "rate") });

describe("scaledDecimal", () => {
  it("reads decimal text exactly, exponents and long fractions included", () => {
    expect(scaledDecimal("0.06", 9)).toBe(60_000_000n);
    expect(scaledDecimal("1.29e-05", 9)).toBe(12_900n);
    expect(scaledDecimal("0.000004500000000000000000000000000000000", 9)).toBe(4_500n);
    expect(scaledDecimal("0E-6176", 9)).toBe(0n);
    expect(scaledDecimal("-2.5", 0)).toBe(-3n);
    expect(scaledDecimal("123.45", 7)).toBe(1_234_500_000n);
    expect(scaledDecimal(".5", 1)).toBe(5n);
  });

  it("refuses what is not a decimal", () => {
    for (const text of ["", "abc", "1,5", "1.2.3", "e5", "NaN", "Infinity", "1e999999"]) expect(scaledDecimal(text, 9)).toBeUndefined();
  });
});

describe("exchange rates", () => {
  const rates = new ExchangeRates([rate("2025-06-01", "EUR", "0.9"), rate("2025-06-03", "EUR", "0.8"), rate("2025-06-05", "EUR", "0.8"), rate("2025-06-10", "EUR", "1.25"), rate("2025-01-01", "JPY", "150")]);

  it("takes the newest rate dated on or before the day", () => {
    expect(rates.rateOn("EUR", "2025-06-01").day).toBe("2025-06-01");
    expect(rates.rateOn("EUR", "2025-06-02").day).toBe("2025-06-01");
    expect(rates.rateOn("EUR", "2025-06-04").day).toBe("2025-06-03");
    expect(rates.rateOn("EUR", "2030-01-01").day).toBe("2025-06-10");
  });

  it("names the currency and the day it has no rate for", () => {
    expect(() => rates.rateOn("EUR", "2025-05-31")).toThrow("rates has no EUR rate on or before 2025-05-31 (its first is 2025-06-01)");
    expect(() => rates.rateOn("GBP", "2025-06-01")).toThrow("rates has no GBP rate (it has EUR, JPY)");
    expect(() => rates.segments("EUR", new Date("2025-05-31T12:00:00Z"), new Date("2025-06-02T00:00:00Z"))).toThrow(ValidationError);
  });

  it("refuses a rate that is not a positive decimal, and two rates for one day", () => {
    for (const text of ["0", "-1", "abc", "0.1234567890123"]) expect(() => parseRate(text, "rate")).toThrow(/rate must be a positive decimal/);
    expect(parseRate("0.123456789012", "rate")).toBe(123_456_789_012n);
    expect(() => new ExchangeRates([rate("2025-06-01", "EUR", "0.9"), rate("2025-06-01", "EUR", "0.91")], "--rates")).toThrow("--rates has two different EUR rates for 2025-06-01");
  });

  it("cuts a range where the rate changes, days in the zone, equal rates not cut", () => {
    const cuts = rates.segments("EUR", new Date("2025-06-02T10:00:00Z"), new Date("2025-06-12T10:00:00Z"));
    expect(cuts.map((s) => [s.start.toISOString(), s.end.toISOString(), s.rate.day])).toEqual([
      ["2025-06-02T10:00:00.000Z", "2025-06-02T23:59:59.999Z", "2025-06-01"],
      ["2025-06-03T00:00:00.000Z", "2025-06-09T23:59:59.999Z", "2025-06-03"],
      ["2025-06-10T00:00:00.000Z", "2025-06-12T10:00:00.000Z", "2025-06-10"],
    ]);
    const paris = rates.segments("EUR", new Date("2025-06-02T10:00:00Z"), new Date("2025-06-04T10:00:00Z"), "Europe/Paris");
    expect(paris.map((s) => s.start.toISOString())).toEqual(["2025-06-02T10:00:00.000Z", "2025-06-02T22:00:00.000Z"]);
    expect(dayText(new Date("2025-06-02T22:30:00Z"), "Europe/Paris")).toBe("2025-06-03");
  });
});

describe("conversion", () => {
  const eur = rate("2025-06-01", "EUR", "0.9235");

  it("converts nano-dollars exactly, rounding once", () => {
    expect(convertNanos(1_000_000_000n, eur)).toBe(923_500_000n);
    expect(convertNanos(1n, eur)).toBe(1n); // 0.9235 rounds up
    expect(convertNanos(-3n, rate("2025-06-01", "EUR", "0.5"))).toBe(-2n); // -1.5 rounds away from zero
    // A float would drift: 0.1 USD at 1.1 is exactly 0.11.
    expect(convertNanos(100_000_000n, rate("2025-06-01", "EUR", "1.1"))).toBe(110_000_000n);
  });

  it("sums each part at its own rate and rounds the total once", async () => {
    const rates = new ExchangeRates([rate("2025-06-01", "EUR", "0.5"), rate("2025-06-02", "EUR", "2")]);
    const segments = rates.segments("EUR", new Date("2025-06-01T00:00:00Z"), new Date("2025-06-02T23:59:59.999Z"));
    const seen: string[] = [];
    const sums = await convertedSums(segments, async (start) => {
      seen.push(start.toISOString());
      return start.getUTCDate() === 1 ? [["a", 1n], ["b", 10n]] : [["a", 3n]];
    });
    expect(seen).toEqual(["2025-06-01T00:00:00.000Z", "2025-06-02T00:00:00.000Z"]);
    // a: 1 × 0.5 + 3 × 2 = 6.5 → 7 (rounded once; per part it would be 1 + 6 = 7 too, b: 5).
    expect(sums).toEqual(new Map([["a", 7n], ["b", 5n]]));
  });

  it("writes amounts with the currency's sign", () => {
    expect(formatMoney(923_500_000n, "EUR")).toBe("€0.9235");
    expect(formatMoney(1_234_567_890n, "GBP", 2)).toBe("£1.23");
    expect(formatMoney(-50_000n, "EUR")).toBe("-€0.0001");
    expect(formatMoney(-40_000n, "EUR")).toBe("€0.0000");
    expect(formatMoney(150_000_000_000n, "CHF")).toBe("CHF 150.0000");
  });
});
