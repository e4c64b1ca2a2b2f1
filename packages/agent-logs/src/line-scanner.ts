import { open } from "node:fs/promises";

/** Bytes read per system call: large enough that a read costs little per line, small enough to keep memory flat. */
const CHUNK_BYTES = 1 << 20;

/** Receives each complete line: `[start, end)` of `bytes` (newline excluded), its 1-based number, and whether it holds a marker. */
export type LineVisitor = (bytes: Buffer, start: number, end: number, lineNumber: number, marked: boolean) => void;

/** Where a scan stopped: just past the last complete line. */
export interface ScanPoint {
  readonly position: number;
  readonly lines: number;
}

/**
 * Reads `path` from `from` up to byte `until`, a chunk at a time, and hands every complete
 * (newline-terminated) line to `visit`. A last line without its newline is left unread (the
 * writer may still be writing it): the returned point stops before it, so the next scan starts
 * there. After each chunk, `checkpoint` hears the point reached (the caller may store what it
 * has so far). Marker search runs once over each chunk, not once per line, so lines that hold no
 * marker cost only the newline search.
 */
export async function scanLines(path: string, from: ScanPoint, until: number, markers: readonly Buffer[], visit: LineVisitor, checkpoint: (point: ScanPoint) => Promise<void>): Promise<ScanPoint> {
  const handle = await open(path, "r");
  let buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let kept = 0;
  let position = from.position;
  let lines = from.lines;
  try {
    while (position + kept < until) {
      // A line longer than the buffer: grow it rather than split the line.
      if (kept === buffer.length) {
        const larger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(larger, 0, 0, kept);
        buffer = larger;
      }
      const { bytesRead } = await handle.read(buffer, kept, Math.min(buffer.length - kept, until - position - kept), position + kept);
      if (bytesRead === 0) break; // the file shrank while being read: the next run starts it again
      const filled = buffer.subarray(0, kept + bytesRead);
      const next = markers.map((marker) => filled.indexOf(marker));
      let start = 0;
      for (let newline = filled.indexOf(10); newline !== -1; newline = filled.indexOf(10, start)) {
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
        await checkpoint({ position, lines });
      }
    }
  } finally {
    await handle.close();
  }
  return { position, lines };
}
