import { visibleText } from "@llm-accounting/core";
import { fitColumns, wrapToWidth } from "./table-layout.js";
import { displayWidth } from "./text-width.js";

/** A column of a text table. */
export interface Column {
  readonly header: string;
  /** Right-aligned columns hold numbers (default: left). */
  readonly align?: "left" | "right";
  /**
   * A number column is never cut, wrapped or hidden, whatever the width (only its header may wrap
   * between words). Default: true for right-aligned columns.
   */
  readonly numeric?: boolean;
}

/** Options of `renderTable`. */
export interface TableOptions {
  readonly title?: string;
  /**
   * The terminal's width. When the table is wider, text columns are wrapped (between words when
   * they can be), then hidden from the right (the first column stays), and a line says which;
   * numbers are never cut. Unlimited when absent (output to a pipe or file).
   */
  readonly maxWidth?: number;
}

/**
 * Renders a boxed table (heavy header, light body) as lines of text. Cells are plain strings
 * measured in terminal cells (string-width: a CJK character or emoji takes two, a combining mark
 * none), with control characters shown escaped (`visibleText`); a cell wider than its column
 * wraps onto more lines. Nothing is coloured, so the output reads the same with NO_COLOR or in a
 * file. Time and memory grow with the number of cells only: any number of rows renders.
 */
export function renderTable(columns: readonly Column[], rawRows: readonly (readonly string[])[], options: TableOptions = {}): string[] {
  // Cells often hold stored names: escaped here so a control character can neither act on the
  // terminal nor break a row across lines.
  const rows = rawRows.map((row) => columns.map((_c, i) => visibleText(row[i] ?? "")));
  const headers = columns.map((c) => visibleText(c.header));
  const fit = fitColumns(columns.map((c, i) => ({ header: headers[i]!, numeric: c.numeric ?? c.align === "right" })), rows, options.maxWidth);
  const widths = fit.shown.map((i) => fit.widths[i]!);
  const aligns = fit.shown.map((i) => columns[i]!.align ?? "left");
  const rule = (l: string, fill: string, mid: string, r: string) => l + widths.map((w) => fill.repeat(w + 2)).join(mid) + r;
  const lines: string[] = [];
  const title = options.title && visibleText(options.title);
  if (title) lines.push(`${" ".repeat(Math.max(0, Math.floor((fit.totalWidth - displayWidth(title)) / 2)))}${title}`.trimEnd());
  lines.push(rule("┏", "━", "┳", "┓"));
  lines.push(...rowLines(fit.shown.map((i) => headers[i]!), widths, aligns, "┃"));
  lines.push(rule("┡", "━", "╇", "┩"));
  for (const row of rows) lines.push(...rowLines(fit.shown.map((i) => row[i]!), widths, aligns, "│"));
  lines.push(rule("└", "─", "┴", "┘"));
  if (fit.hidden.length > 0) {
    const names = fit.hidden.map((i) => headers[i]!).join(", ");
    lines.push(`(${names} hidden to fit ${options.maxWidth} columns: widen the terminal, or use --format csv or json)`);
  }
  return lines;
}

// One table row as one or more lines: each cell wrapped to its column, shorter cells padded below.
function rowLines(cells: readonly string[], widths: readonly number[], aligns: readonly ("left" | "right")[], bar: string): string[] {
  const wrapped = cells.map((text, c) => wrapToWidth(text, widths[c]!));
  const height = Math.max(1, ...wrapped.map((w) => w.length));
  const lines: string[] = [];
  for (let line = 0; line < height; line++) {
    const parts = wrapped.map((w, c) => pad(w[line] ?? "", widths[c]!, aligns[c]!));
    lines.push(`${bar} ${parts.join(` ${bar} `)} ${bar}`);
  }
  return lines;
}

// Padded by display width, not String.length, so wide characters keep the columns in line.
function pad(text: string, width: number, align: "left" | "right"): string {
  const fill = " ".repeat(Math.max(0, width - displayWidth(text)));
  return align === "right" ? fill + text : text + fill;
}
