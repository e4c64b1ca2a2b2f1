import { createHash } from "node:crypto";
import { open } from "node:fs/promises";

/** How many leading bytes identify a log file: its first line names the session, so a replaced file differs there. */
const HEAD_BYTES = 4096;

/** The file's first bytes (at most HEAD_BYTES). */
export async function readHead(path: string, size: number): Promise<Buffer> {
  const handle = await open(path, "r");
  try {
    const bytes = Buffer.alloc(Math.min(size, HEAD_BYTES));
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, 0);
    return bytes.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** `<length>:<sha256>` of the first `length` bytes of a head. */
export function fingerprint(head: Buffer, length = head.length): string {
  return `${length}:${createHash("sha256").update(head.subarray(0, length)).digest("hex")}`;
}

/** Does the head still start as the recorded fingerprint says? (The file may have grown since; its first bytes must not have changed.) */
export function sameHead(head: Buffer, recorded: string): boolean {
  const length = Number(recorded.slice(0, recorded.indexOf(":")));
  return Number.isSafeInteger(length) && length <= head.length && fingerprint(head, length) === recorded;
}
