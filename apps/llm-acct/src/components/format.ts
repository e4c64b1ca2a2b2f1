import stringWidth from "string-width";
import { formatMoney, formatNanos, visibleText, type LimitStatus } from "@llm-accounting/core";

/** `$12.3400` from nano-dollars. */
export const usd = (nanos: bigint): string => `$${formatNanos(nanos, 4)}`;

/** An amount as the views show it: `$12.3400` from nano-dollars, or `€11.0200` from 1e-9 units of the display currency. */
export const money = (units: bigint, currency?: string): string => (currency ? formatMoney(units, currency) : usd(units));

/** `12,345`. */
export const count = (n: number): string => Math.trunc(n).toLocaleString("en-US");

/** Text cut to `width` terminal cells with `…`, padded on the right (or left for numbers); control characters shown escaped. */
export function fit(raw: string, width: number, align: "left" | "right" = "left"): string {
  // Cells hold stored names: escaped before measuring, so the cell keeps its width and acts on nothing.
  const text = visibleText(raw);
  // Measured in terminal cells, not UTF-16 units: a CJK character or emoji takes two cells, a
  // combining mark none, and `.length` would let such names push the columns after them out of line.
  let cells = stringWidth(text);
  let cut = text;
  if (cells > width) {
    cut = "";
    cells = 0;
    // Whole graphemes only, so an emoji sequence or accented letter is never split in half.
    for (const { segment } of graphemes.segment(text)) {
      const w = stringWidth(segment);
      if (cells + w > width - 1) break;
      cut += segment;
      cells += w;
    }
    cut += "…";
    cells += 1;
  }
  // A wide character that did not fit leaves one cell short: the padding makes it up.
  const pad = " ".repeat(Math.max(0, width - cells));
  return align === "right" ? pad + cut : cut + pad;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** How full a limit's window is (1 = at the limit); a limit of 0 with any use counts as full, unlimited as empty. */
export function usageRatio(status: LimitStatus): number {
  const { maxValue } = status.limit;
  if (maxValue === -1) return 0;
  if (maxValue === 0) return status.used > 0 ? 1 : 0;
  return status.used / maxValue;
}

/** Colours unless the NO_COLOR convention (no-color.org) asks for none; the text never depends on them. */
export const colour = (name: string): string | undefined => (process.env.NO_COLOR ? undefined : name);

/** A horizontal bar of `width` cells filled to `ratio` (0..1), readable without colour. */
export function bar(ratio: number, width: number): string {
  const filled = Math.round(Math.max(0, Math.min(1, ratio)) * width);
  return "█".repeat(filled) + "░".repeat(width - filled);
}

const SPARKS = "▁▂▃▄▅▆▇█";

/** One character per value, scaled to the largest. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values.map((v) => (max === 0 || v <= 0 ? " " : SPARKS[Math.min(7, Math.floor((v / max) * 7.999))]!)).join("");
}

/** `in 3h 20m` / `in 45s` until `date`, or `now`. */
export function until(date: Date | null, now: Date): string {
  if (!date) return "-";
  let s = Math.max(0, Math.round((date.getTime() - now.getTime()) / 1000));
  if (s === 0) return "now";
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const parts = d ? [`${d}d`, `${h}h`] : h ? [`${h}h`, `${m}m`] : m ? [`${m}m`, `${s}s`] : [`${s}s`];
  return `in ${parts.join(" ")}`;
}
