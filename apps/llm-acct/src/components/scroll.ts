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

/**
 * A selected line of `total` lines seen `rows` at a time: ↑↓ (k/j) move it, PgUp/PgDn by a page,
 * Home/End to either end; the first shown line follows so the selection stays on screen. Enter
 * calls `onEnter` with the selection. Both stay in range when the content shrinks, and go back to
 * the first line when `resetKey` changes (other content in the same place).
 */
export function useSelection(total: number, rows: number, isActive = true, onEnter?: (selected: number) => void, resetKey?: string): { selected: number; top: number } {
  const [stored, setStored] = useState({ selected: 0, top: 0, resetKey });
  const state = stored.resetKey === resetKey ? stored : { selected: 0, top: 0, resetKey };
  const setState = (s: { selected: number; top: number }) => setStored({ ...s, resetKey: latest.current.resetKey });
  const clamp = (s: { selected: number; top: number }, total: number, rows: number) => {
    const selected = Math.max(0, Math.min(s.selected, total - 1));
    const top = Math.max(0, Math.min(s.top, selected, Math.max(0, total - rows)));
    return { selected, top: selected >= top + rows ? selected - rows + 1 : top };
  };
  const shown = clamp(state, total, rows);
  // Keys may arrive before the next render (and reach a handler an older render subscribed): they
  // act on the latest size and selection, which moves update at once.
  const latest = useRef({ total, rows, onEnter, shown, resetKey });
  latest.current = { total, rows, onEnter, shown, resetKey };
  useInput(
    (input, key) => {
      const { total, rows, onEnter } = latest.current;
      const page = Math.max(1, rows - 1);
      const move = (to: (s: number) => number) => {
        const now = latest.current.shown;
        const moved = clamp({ ...now, selected: to(now.selected) }, total, rows);
        latest.current = { ...latest.current, shown: moved };
        setState(moved);
      };
      if (key.downArrow || input === "j") move((s) => s + 1);
      else if (key.upArrow || input === "k") move((s) => s - 1);
      else if (key.pageDown) move((s) => s + page);
      else if (key.pageUp) move((s) => s - page);
      else if (key.home) move(() => 0);
      else if (key.end) move(() => total - 1);
      else if (key.return && total > 0) onEnter?.(latest.current.shown.selected);
    },
    { isActive },
  );
  return shown;
}
