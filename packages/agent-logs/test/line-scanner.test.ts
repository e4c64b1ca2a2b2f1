import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { scanLines, type ScanPoint } from "../src/line-scanner.js";

const dir = mkdtempSync(join(tmpdir(), "line-scanner-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("scanLines", () => {
  it("hands over every complete line across chunk boundaries, a line longer than a chunk included, and stops before a cut last line", async () => {
    const lines = Array.from({ length: 30_000 }, (_, i) => (i % 7 === 0 ? `{"n":${i},"usage":{}}` : `{"n":${i},"pad":"${"x".repeat(i % 97)}"}`));
    lines.splice(12_345, 0, `{"huge":"${"y".repeat(3 << 20)}","usage":1}`); // 3 MiB: longer than the 1 MiB read buffer
    const text = `${lines.join("\n")}\n{"cut":`;
    const path = join(dir, "log.jsonl");
    writeFileSync(path, text);
    const seen: string[] = [];
    const marked: number[] = [];
    const checkpoints: ScanPoint[] = [];
    const end = await scanLines(
      path,
      { position: 0, lines: 0 },
      Buffer.byteLength(text),
      [Buffer.from('"usage":')],
      (bytes, start, stop, lineNumber, isMarked) => {
        seen.push(bytes.toString("utf8", start, stop));
        if (isMarked) marked.push(lineNumber);
      },
      { checkpoint: async (point) => void checkpoints.push(point) },
    );
    expect(seen).toEqual(lines);
    expect(marked).toEqual(lines.flatMap((l, i) => (l.includes('"usage":') ? [i + 1] : [])));
    expect(end).toEqual({ position: Buffer.byteLength(text) - '{"cut":'.length, lines: lines.length });
    expect(checkpoints.length).toBeGreaterThan(1);
    expect(checkpoints.at(-1)).toEqual(end);

    // Resuming from the end point reads nothing more until the cut line is finished.
    const rest: string[] = [];
    writeFileSync(path, `${text}1}\n`);
    const again = await scanLines(path, end, Buffer.byteLength(text) + 3, [], (b, s, e, n) => void rest.push(`${n}:${b.toString("utf8", s, e)}`), { checkpoint: async () => undefined });
    expect(rest).toEqual([`${lines.length + 1}:{"cut":1}`]);
    expect(again.position).toBe(Buffer.byteLength(text) + 3);
  });

  it("skips a line longer than the limit without holding it in memory, and names it", async () => {
    const path = join(dir, "overlong.jsonl");
    const long = "z".repeat(5 << 20);
    writeFileSync(path, `{"a":1}\n${long}\n{"b":2}\n${long}`);
    const seen: string[] = [];
    const overlong: number[] = [];
    const size = 2 * (5 << 20) + 17;
    const end = await scanLines(path, { position: 0, lines: 0 }, size, [], (b, s, e, n) => void seen.push(`${n}:${b.toString("utf8", s, e)}`), {
      checkpoint: async () => undefined,
      overlong: (n) => void overlong.push(n),
      maxLineBytes: 1 << 20,
    });
    expect(seen).toEqual(['1:{"a":1}', '3:{"b":2}']);
    expect(overlong).toEqual([2]);
    // The unfinished overlong last line is where the next run starts.
    expect(end).toEqual({ position: size - (5 << 20), lines: 3 });
  });
});
