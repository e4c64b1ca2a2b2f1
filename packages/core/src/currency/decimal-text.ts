/**
 * A decimal written as text (`12`, `-0.5`, `1.29e-05`, `0E-6176`, `0.000004500000000000`) as an
 * integer of `10^-decimals` units, rounded half away from zero; undefined when the text is not a
 * decimal number. Exact for any number of digits: provider amounts and exchange rates never go
 * through a binary float.
 */
export function scaledDecimal(text: string, decimals: number): bigint | undefined {
  const match = /^\s*([+-]?)(\d+)?(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
  if (!match || (match[2] === undefined && !match[3])) return undefined;
  const [, sign, whole = "", fraction = "", exponentText = "0"] = match;
  // An exponent beyond any real amount (`1e999999`) would build an enormous power of ten.
  const exponent = Number(exponentText);
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 10_000) return undefined;
  const digits = BigInt(`${whole}${fraction}` || "0");
  const shift = decimals + exponent - fraction.length;
  let units: bigint;
  if (digits === 0n) units = 0n;
  else if (shift >= 0) units = digits * 10n ** BigInt(shift);
  else units = roundedQuotient(digits, 10n ** BigInt(-shift));
  return sign === "-" ? -units : units;
}

/** `n / d` rounded half away from zero (d > 0). */
export function roundedQuotient(n: bigint, d: bigint): bigint {
  const negative = n < 0n;
  const abs = negative ? -n : n;
  const q = abs / d + ((abs % d) * 2n >= d ? 1n : 0n);
  return negative ? -q : q;
}

/** An integer of `10^-decimals` units written as exact decimal text, trailing zeros dropped: `1230000n, 6` → `1.23`. */
export function decimalText(units: bigint, decimals: number): string {
  const negative = units < 0n;
  const abs = (negative ? -units : units).toString().padStart(decimals + 1, "0");
  const whole = abs.slice(0, abs.length - decimals);
  const fraction = abs.slice(abs.length - decimals).replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}
