import { displayWidth, graphemes } from "./text-width.js";

/** A column as the layout sees it: its header and whether it holds numbers. */
export interface LayoutColumn {
  readonly header: string;
  /** Numbers are never cut, wrapped or hidden. */
  readonly numeric: boolean;
}

/** Column widths (in terminal cells, without padding) and which columns are shown. */
export interface ColumnFit {
  /** Width of every column by index; hidden columns keep their natural width. */
  readonly widths: readonly number[];
  /** Indexes of the columns shown, in order. */
  readonly shown: readonly number[];
  /** Indexes of the columns hidden to fit, in order. */
  readonly hidden: readonly number[];
  /** Width of the whole table with its borders. */
  readonly totalWidth: number;
}

/** Narrowest a text column is wrapped to (or its natural width, when smaller). */
const TEXT_MIN_WIDTH = 8;
/** Words up to this wide (a date, a short model name) are kept whole when a text column narrows. */
const WHOLE_WORD_WIDTH = 12;

// Each column is " text " between borders: 3 cells per column, plus the last border.
const frame = (columns: number): number => 3 * columns + 1;
const longestWord = (text: string): number => text.split(/ +/).reduce((w, word) => Math.max(w, displayWidth(word)), 0);

/**
 * Fits columns to `maxWidth`. Every column starts at its natural width. When the table is wider:
 * 1. text columns wrap to as little as half their width (between words: rows of a few lines), number columns
 *    headers wrap between words;
 * 2. then text columns are hidden from the right (the first column stays), trying again after each;
 * 3. then text columns wrap further, down to a few cells (whole words up to WHOLE_WORD_WIDTH), with
 *    as few columns hidden as that allows.
 * A number column is never narrower than its widest value: if the numbers alone do not fit, the
 * table is wider than asked, never cut. Without `maxWidth` every column keeps its natural width.
 */
export function fitColumns(columns: readonly LayoutColumn[], rows: readonly (readonly string[])[], maxWidth?: number): ColumnFit {
  // A loop, not Math.max(...rows): spreading a large result into one call overflows the stack.
  const widest = columns.map(() => 0);
  const widestWord = columns.map(() => 0);
  for (const row of rows) {
    for (let i = 0; i < columns.length; i++) {
      const text = row[i] ?? "";
      const width = displayWidth(text);
      widest[i] = Math.max(widest[i]!, width);
      if (!columns[i]!.numeric) widestWord[i] = Math.max(widestWord[i]!, text.includes(" ") ? longestWord(text) : width);
    }
  }
  const natural = columns.map((c, i) => Math.max(displayWidth(c.header), widest[i]!));
  const all = columns.map((_c, i) => i);
  if (maxWidth === undefined) return { widths: natural, shown: all, hidden: [], totalWidth: total(natural, all) };
  const hard = columns.map((c, i) =>
    c.numeric
      ? Math.max(widest[i]!, longestWord(c.header))
      : Math.min(natural[i]!, Math.max(TEXT_MIN_WIDTH, longestWord(c.header), Math.min(widestWord[i]!, WHOLE_WORD_WIDTH))),
  );
  const soft = columns.map((c, i) => (c.numeric ? hard[i]! : Math.max(hard[i]!, Math.ceil(natural[i]! / 2))));
  // Hidden first: the last text column, then the one before it, ...; the first column stays.
  const hideable = all.filter((i) => i > 0 && !columns[i]!.numeric).reverse();
  let best: ColumnFit | undefined;
  for (const least of [soft, hard]) {
    for (let count = 0; count <= hideable.length; count++) {
      const hidden = hideable.slice(0, count).sort((a, b) => a - b);
      const shown = all.filter((i) => !hidden.includes(i));
      const widths = narrowed(natural, least, shown, maxWidth, columns);
      best = { widths, shown, hidden, totalWidth: total(widths, shown) };
      if (best.totalWidth <= maxWidth) return best;
    }
  }
  return best!;
}

function total(widths: readonly number[], shown: readonly number[]): number {
  return shown.reduce((sum, i) => sum + widths[i]!, frame(shown.length));
}

// Takes one cell at a time from the column with the most room above its least width: text
// columns first, then number columns (whose headers then wrap).
function narrowed(natural: readonly number[], least: readonly number[], shown: readonly number[], maxWidth: number, columns: readonly LayoutColumn[]): number[] {
  const widths = [...natural];
  let excess = total(widths, shown) - maxWidth;
  for (const numeric of [false, true]) {
    const candidates = shown.filter((i) => columns[i]!.numeric === numeric);
    while (excess > 0) {
      let pick = -1;
      for (const i of candidates) if (widths[i]! > least[i]! && (pick < 0 || widths[i]! - least[i]! > widths[pick]! - least[pick]!)) pick = i;
      if (pick < 0) break;
      widths[pick]! -= 1;
      excess -= 1;
    }
  }
  return widths;
}

/**
 * `text` as lines of at most `width` cells: broken between words where it can be, inside a word
 * (between graphemes) only when the word alone is wider than the column.
 */
export function wrapToWidth(text: string, width: number): string[] {
  if (displayWidth(text) <= width) return [text];
  const lines: string[] = [];
  let line = "";
  let lineWidth = 0;
  for (const word of text.split(/ +/)) {
    const wordWidth = displayWidth(word);
    if (line !== "" && lineWidth + 1 + wordWidth <= width) {
      line += ` ${word}`;
      lineWidth += 1 + wordWidth;
      continue;
    }
    if (line !== "") lines.push(line);
    [line, lineWidth] = [word, wordWidth];
    if (wordWidth <= width) continue;
    // A word wider than the column: as many graphemes a line as fit.
    [line, lineWidth] = ["", 0];
    for (const g of graphemes(word)) {
      const w = displayWidth(g);
      if (lineWidth + w > width && line !== "") {
        lines.push(line);
        [line, lineWidth] = ["", 0];
      }
      line += g;
      lineWidth += w;
    }
  }
  lines.push(line);
  return lines;
}
