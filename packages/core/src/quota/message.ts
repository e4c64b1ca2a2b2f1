import { formatNanos, usdToNanos } from "../money.js";
import type { UsageLimit } from "../store/limit-records.js";

// The only fractions a double can tie on at 2 decimals, and Python's half-to-even result for each.
const TIE_CENTS: Readonly<Record<number, string>> = { 0.125: "12", 0.375: "38", 0.625: "62", 0.875: "88" };

/**
 * Python's `f"{x:.2f}"`: the binary value rounded to 2 decimals, exact ties to even. JS toFixed
 * differs only on exact ties (x * 8 an odd integer), where it rounds away from zero.
 */
export function formatFixed2(x: number): string {
  // toFixed switches to exponent notation from 1e21 on; such doubles are integers, Python prints every digit.
  if (Number.isFinite(x) && Math.abs(x) >= 1e21) return `${BigInt(x)}.00`;
  const abs = Math.abs(x);
  const whole = Math.trunc(abs);
  // Splitting off the whole part is exact; scaling by 100 would round for large x.
  const tie = TIE_CENTS[abs - whole];
  return tie === undefined ? x.toFixed(2) : `${x < 0 ? "-" : ""}${whole}.${tie}`;
}

/**
 * A USD amount in a message, exact to the nano-dollar: `$0.0065`, `$2.675`, `$10.00` (at least
 * 2 decimals, more only when the amount has them). Two decimals made $0.0065 read as 0.01.
 */
export function formatUsd(usd: number): string {
  if (!Number.isFinite(usd)) return `$${usd}`;
  const text = formatNanos(usdToNanos(usd), 9).replace(/(\.\d{2}\d*?)0+$/, "$1");
  return text.startsWith("-") ? `-$${text.slice(1)}` : `$${text}`;
}

/**
 * The scope part of a denial (docs/behaviour.md), from the limit's own selectors. Unlike the original,
 * a USER limit that names a model says so: `USER (model: m, user: u)`.
 */
export function scopeText(limit: UsageLimit): string {
  switch (limit.scope) {
    case "GLOBAL":
      return "GLOBAL";
    case "USER":
      if (limit.username && limit.model) return `USER (model: ${limit.model}, user: ${limit.username})`;
      return limit.username ? `USER (user: ${limit.username})` : "USER";
    case "MODEL":
      return limit.model ? `MODEL (model: ${limit.model})` : "MODEL";
    case "CALLER":
      if (limit.username && limit.callerName) return `CALLER (user: ${limit.username}, caller: ${limit.callerName})`;
      return limit.callerName ? `CALLER (caller: ${limit.callerName})` : "CALLER";
    case "PROJECT":
      return limit.projectName ? `PROJECT (project: ${limit.projectName})` : "PROJECT (no project)";
    case "TAG":
      return `TAG (${tagScopeParts(limit).join(", ")})`;
    default:
      return String(limit.scope);
  }
}

// Ours: every selector the TAG limit narrows by, then its tag, so the text names exactly whose budget ran out.
function tagScopeParts(limit: UsageLimit): string[] {
  const parts: string[] = [];
  if (limit.model) parts.push(`model: ${limit.model}`);
  if (limit.username) parts.push(`user: ${limit.username}`);
  if (limit.callerName) parts.push(`caller: ${limit.callerName}`);
  if (limit.projectName) parts.push(`project: ${limit.projectName}`);
  parts.push(`tag: ${limit.tag ? `${limit.tag.key}=${limit.tag.value}` : "?"}`);
  return parts;
}

/**
 * The denial text: `{scope} limit: {max} {type} per {N} {unit} exceeded. Current usage: {x}, request: {y}.`
 * Counts print with 2 decimals as in the original; cost limits print USD exactly (`formatUsd`).
 */
export function denialMessage(limit: UsageLimit, current: number, request: number): string {
  const amount = limit.limitType === "cost" ? formatUsd : formatFixed2;
  return (
    `${scopeText(limit)} limit: ${amount(limit.maxValue)} ${limit.limitType} per ${limit.intervalValue} ${limit.intervalUnit}` +
    ` exceeded. Current usage: ${amount(current)}, request: ${amount(request)}.`
  );
}
