import { useInput } from "ink";
import { useRef, useState } from "react";

/**
 * The first shown line of `total` lines seen `rows` at a time, moved with ↑↓ (or k/j), PgUp/PgDn,
 * Home/End while `isActive`; always within range, also after the content shrinks.
 */
export function useScroll(total: number, rows: number, isActive = true): number {
  const [top, setTop] = useState(0);
  const max = Math.max(0, total - rows);
  // Keys may arrive before the next render: they clamp against the latest size, not the one of the
  // render that subscribed them.
  const limits = useRef({ max, rows });
  limits.current = { max, rows };
  useInput(
    (input, key) => {
      const { max, rows } = limits.current;
      const page = Math.max(1, rows - 1);
      const move = (to: (t: number) => number) => setTop((t) => Math.max(0, Math.min(max, to(Math.min(t, max)))));
      if (key.downArrow || input === "j") move((t) => t + 1);
      else if (key.upArrow || input === "k") move((t) => t - 1);
      else if (key.pageDown) move((t) => t + page);
      else if (key.pageUp) move((t) => t - page);
      else if (key.home) move(() => 0);
      else if (key.end) move(() => max);
    },
    { isActive },
  );
  return Math.min(top, max);
}

/** How a scrolled position reads: "lines 21–40 of 57". */
export const scrollLabel = (what: string, top: number, rows: number, total: number): string =>
  `${what} ${total === 0 ? 0 : top + 1}–${Math.min(total, top + rows)} of ${total}`;
