import { open } from "node:fs/promises";

/** Bytes read per system call: large enough that a read costs little per line, small enough to keep memory flat. */
const CHUNK_BYTES = 1 << 20;

/** Longest line kept in memory. Real lines with pasted images reach a few MB; a longer one is junk (or hostile) and skipped. */
export const MAX_LINE_BYTES = 64 << 20;

/** Receives each complete line: `[start, end)` of `bytes` (newline excluded), its 1-based number, and whether it holds a marker. */
export type LineVisitor = (bytes: Buffer, start: number, end: number, lineNumber: number, marked: boolean) => void;

/** Where a scan stopped: just past the last complete line. */
export interface ScanPoint {
  readonly position: number;
  readonly lines: number;
}

/** What a scan reports besides lines. */
export interface ScanHooks {
  /** Hears the point reached after each chunk (the caller may store what it has so far). */
  readonly checkpoint: (point: ScanPoint) => Promise<void>;
  /** Hears a line longer than `maxLineBytes`, which is skipped unread. */
  readonly overlong?: (lineNumber: number) => void;
  /** Default MAX_LINE_BYTES. */
  readonly maxLineBytes?: number;
}

/**
 * Reads `path` from `from` up to byte `until`, a chunk at a time, and hands every complete
 * (newline-terminated) line to `visit`. A last line without its newline is left unread (the
 * writer may still be writing it): the returned point stops before it, so the next scan starts
 * there. Marker search runs once over each chunk, not once per line, so lines that hold no
 * marker cost only the newline search.
 */
export async function scanLines(path: string, from: ScanPoint, until: number, markers: readonly Buffer[], visit: LineVisitor, hooks: ScanHooks): Promise<ScanPoint> {
  const maxLine = hooks.maxLineBytes ?? MAX_LINE_BYTES;
  const handle = await open(path, "r");
  let buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, maxLine));
  let kept = 0;
  let position = from.position; // file offset of buffer[0]
  let lines = from.lines;
  let skipFrom = -1; // start of an overlong line being skipped
  try {
    while (position + kept < until) {
      if (kept === buffer.length) {
        if (buffer.length >= maxLine) {
          // Drop what was kept of an overlong line and look for its end.
          if (skipFrom === -1) skipFrom = position;
          position += kept;
          kept = 0;
        } else {
          const larger = Buffer.allocUnsafe(Math.min(buffer.length * 2, maxLine));
          buffer.copy(larger, 0, 0, kept);
          buffer = larger;
        }
      }
      const { bytesRead } = await handle.read(buffer, kept, Math.min(buffer.length - kept, until - position - kept), position + kept);
      if (bytesRead === 0) break; // the file shrank while being read: the next run starts it again
      const filled = buffer.subarray(0, kept + bytesRead);
      let start = 0;
      if (skipFrom !== -1) {
        const end = filled.indexOf(10);
        if (end === -1) {
          kept = filled.length;
          continue;
        }
        skipFrom = -1;
        hooks.overlong?.(++lines);
        start = end + 1;
      }
      const next = markers.map((marker) => filled.indexOf(marker, start));
      for (let newline = filled.indexOf(10, start); newline !== -1; newline = filled.indexOf(10, start)) {
        let marked = false;
        for (let i = 0; i < next.length; i++) {
          let at = next[i]!;
          if (at !== -1 && at < start) next[i] = at = filled.indexOf(markers[i]!, start);
          if (at !== -1 && at < newline) marked = true;
        }
        visit(filled, start, newline, ++lines, marked);
        start = newline + 1;
      }
      filled.copy(buffer, 0, start);
      kept = filled.length - start;
      if (start > 0) {
        position += start;
        await hooks.checkpoint({ position, lines });
      }
    }
  } finally {
    await handle.close();
  }
  // An overlong line still without its end: the next run looks at it again (only once the file changes).
  return { position: skipFrom === -1 ? position : skipFrom, lines };
}
