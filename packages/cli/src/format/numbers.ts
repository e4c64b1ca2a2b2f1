import { formatNanos } from "@llm-accounting/core";

// Made on first use: building a NumberFormat costs a one-shot command that prints no table ~5 ms.
let grouped: Intl.NumberFormat | undefined;

/** `$` and four decimals, exact from nano-dollars: `$1.2300`. */
export const money = (nanos: bigint): string => `$${formatNanos(nanos, 4)}`;

/** Whole tokens with thousands separators: `12,345` (fractions truncated, as the original). */
export const tokens = (value: number): string => (grouped ??= new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 })).format(Math.trunc(value));

/** Seconds with two decimals: `1.25s`. */
export const seconds = (value: number): string => `${value.toFixed(2)}s`;

/** `YYYY-MM-DD HH:MM:SS` in UTC. */
export const utcDateTime = (date: Date): string => date.toISOString().slice(0, 19).replace("T", " ");

/** `YYYY-MM-DD` in UTC. */
export const utcDate = (date: Date): string => date.toISOString().slice(0, 10);
