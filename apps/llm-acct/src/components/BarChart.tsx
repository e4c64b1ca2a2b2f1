import { Box, Text } from "ink";
import { fit } from "./format.js";

const EIGHTHS = " ▁▂▃▄▅▆▇█";

/** One bar of a chart: its label under the axis and its value. */
export interface Bar {
  readonly label: string;
  readonly value: number;
}

/**
 * Bars drawn `height` rows tall (in eighths of a cell) inside `width` cells, with a value axis
 * (largest, middle, and zero on the base line; `format` writes the values) and the labels of the first, middle and last bars
 * under them. Each bar is as wide as the width allows (at least one cell, a gap between bars when
 * they are two or more cells wide).
 */
export function BarChart({ bars, width, height, format }: { bars: readonly Bar[]; width: number; height: number; format: (value: number) => string }) {
  const max = Math.max(0, ...bars.map((b) => b.value));
  const axisWidth = Math.max(format(max).length, format(0).length, format(max / 2).length) + 1;
  const room = Math.max(bars.length, width - axisWidth - 2);
  const slot = Math.max(1, Math.floor(room / Math.max(1, bars.length)));
  const barWidth = slot >= 3 ? slot - 1 : slot;
  const gap = slot - barWidth;
  const rows = Math.max(1, height);
  // Eighths of a cell each bar fills, scaled to the largest; any non-zero value shows at least one.
  const fill = bars.map((b) => (max <= 0 || b.value <= 0 ? 0 : Math.max(1, Math.round((b.value / max) * rows * 8))));
  const lines: string[] = [];
  for (let r = rows - 1; r >= 0; r--) {
    // The top row reaches the largest value; a middle row is labelled with the value it reaches.
    const label = r === rows - 1 ? format(max) : rows >= 5 && r === Math.floor(rows / 2) ? format((max * (r + 1)) / rows) : "";
    const cells = fill.map((f) => EIGHTHS[Math.max(0, Math.min(8, f - r * 8))]!.repeat(barWidth) + " ".repeat(gap)).join("");
    lines.push(`${fit(label, axisWidth - 1, "right")} ┤${cells}`);
  }
  // Labels of the first, middle and last bar, each starting under its bar.
  const axis = Array.from({ length: bars.length * slot }, () => " ");
  const place = (i: number) => {
    const text = bars[i]?.label ?? "";
    const start = Math.min(i * slot, Math.max(0, axis.length - text.length));
    if (axis.slice(Math.max(0, start - 1), start + text.length + 1).some((c) => c !== " ")) return;
    for (let k = 0; k < text.length && start + k < axis.length; k++) axis[start + k] = text[k]!;
  };
  place(0);
  place(bars.length - 1);
  place(Math.floor(bars.length / 2));
  return (
    <Box flexDirection="column">
      {lines.map((line, i) => (
        <Text key={i}>{line}</Text>
      ))}
      <Text>{`${fit(format(0), axisWidth - 1, "right")} └${"─".repeat(bars.length * slot)}`}</Text>
      <Text>{`${" ".repeat(axisWidth + 1)}${axis.join("").trimEnd()}`}</Text>
    </Box>
  );
}
