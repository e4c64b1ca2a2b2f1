import { visibleText } from "@llm-accounting/core";

/** A column of a text table; numbers are right-aligned. */
export interface Column {
  readonly header: string;
  readonly align?: "left" | "right";
}

/** Options of `renderTable`. */
export interface TableOptions {
  readonly title?: string;
  /** Shrink the widest columns (cutting with `…`) until the table fits; unlimited when absent. */
  readonly maxWidth?: number;
}

/**
 * Renders a boxed table (heavy header rule, light body) as lines of text. Cells are plain
 * strings; nothing is coloured, so the output reads the same with NO_COLOR or in a file.
 */
export function renderTable(columns: readonly Column[], rawRows: readonly (readonly string[])[], options: TableOptions = {}): string[] {
  // Cells often hold stored names: escaped here so a control character can neither act on the
  // terminal nor break a row across lines.
  const rows = rawRows.map((row) => row.map((text) => visibleText(text)));
  // A loop, not Math.max(...rows): spreading a large result into one call overflows the stack.
  const widths = columns.map((c) => c.header.length);
  for (const row of rows) columns.forEach((_c, i) => {
    widths[i] = Math.max(widths[i]!, (row[i] ?? "").length);
  });
  if (options.maxWidth !== undefined) shrink(widths, options.maxWidth - (3 * columns.length + 1));
  const cell = (text: string, i: number, align: "left" | "right" = "left") => {
    const width = widths[i]!;
    const fitted = text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
    return align === "right" ? fitted.padStart(width) : fitted.padEnd(width);
  };
  const rule = (l: string, fill: string, mid: string, r: string) => l + widths.map((w) => fill.repeat(w + 2)).join(mid) + r;
  const lines: string[] = [];
  const total = widths.reduce((a, w) => a + w + 3, 1);
  const title = options.title && visibleText(options.title);
  if (title) lines.push(title.padStart(Math.floor((total + title.length) / 2)).trimEnd());
  lines.push(rule("┏", "━", "┳", "┓"));
  lines.push(`┃ ${columns.map((c, i) => cell(c.header, i, c.align)).join(" ┃ ")} ┃`);
  lines.push(rule("┡", "━", "╇", "┩"));
  for (const row of rows) lines.push(`│ ${columns.map((c, i) => cell(row[i] ?? "", i, c.align)).join(" │ ")} │`);
  lines.push(rule("└", "─", "┴", "┘"));
  return lines;
}

function shrink(widths: number[], budget: number): void {
  let excess = widths.reduce((a, w) => a + w, 0) - budget;
  while (excess > 0) {
    const widest = widths.indexOf(Math.max(...widths));
    if (widths[widest]! <= 6) return;
    widths[widest]! -= 1;
    excess -= 1;
  }
}
