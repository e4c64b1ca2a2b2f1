import { Box, Text } from "ink";
import type { KeyHelp } from "./keys.js";
import { fit } from "./format.js";
import { scrollLabel, useScroll } from "./scroll.js";

/** The `?` overlay: every key of the current view and what it does; scrolls when taller than `height`. */
export function Help({ title, keys, width, height }: { title: string; keys: readonly KeyHelp[]; width: number; height: number }) {
  const keyWidth = Math.max(...keys.map((k) => k.keys.length)) + 2;
  // The title and the closing line take two rows.
  const rows = Math.max(1, height - 2);
  const top = useScroll(keys.length, rows);
  return (
    <Box flexDirection="column">
      <Text bold>{fit(`Keys on ${title}`, width - 1)}</Text>
      {keys.slice(top, top + rows).map((k) => (
        <Text key={k.keys}>{fit(`${fit(k.keys, keyWidth)}${k.does}`, width - 1)}</Text>
      ))}
      <Text dimColor>{`${keys.length > rows ? `${scrollLabel("keys", top, rows, keys.length)}  ` : ""}Esc or ? closes this help`}</Text>
    </Box>
  );
}
