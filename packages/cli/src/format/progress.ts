import type { CliIo } from "../io.js";

/** Renders `label [#####-----] 50% 1,000/2,000`, 30 cells wide. */
export function progressLine(label: string, done: number, total: number): string {
  const ratio = total === 0 ? 1 : Math.min(1, done / total);
  const cells = Math.round(ratio * 30);
  const count = (n: number) => n.toLocaleString("en-US");
  return `${label.padEnd(20)} [${"#".repeat(cells)}${"-".repeat(30 - cells)}] ${String(Math.floor(ratio * 100)).padStart(3)}% ${count(done)}/${count(total)}`;
}

/** A progress display for a long command; `end` closes a line left open (before an error, say). */
export interface Progress {
  /** Shows `done` of `total` for the step named `label`. */
  readonly update: (label: string, done: number, total: number) => void;
  /** Finishes the current line, if one is open. */
  readonly end: () => void;
}

/**
 * Progress on stderr, redrawn in place, only when stderr is a terminal: piped or redirected, a
 * command prints its result and nothing else, so scripts and logs see no progress noise.
 */
export function progressReporter(io: CliIo): Progress {
  if (!io.stderr.isTTY) return { update: () => undefined, end: () => undefined };
  let open = false;
  const end = () => {
    if (open) io.stderr.write("\n");
    open = false;
  };
  const update = (label: string, done: number, total: number) => {
    io.stderr.write(`\r${progressLine(label, done, total)}`);
    open = true;
    if (done >= total) end();
  };
  return { update, end };
}
