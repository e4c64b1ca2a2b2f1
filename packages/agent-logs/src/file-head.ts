import { createHash } from "node:crypto";
import { open } from "node:fs/promises";

/** How many leading bytes identify a log file: its first line names the session, so a replaced file differs there. */
const HEAD_BYTES = 4096;

/** `<length>:<sha256 of the first length bytes>` of the file, reading at most HEAD_BYTES. */
export async function fileHead(path: string, size: number, length = Math.min(size, HEAD_BYTES)): Promise<string> {
  const handle = await open(path, "r");
  try {
    const bytes = Buffer.alloc(length);
    const { bytesRead } = await handle.read(bytes, 0, length, 0);
    return `${bytesRead}:${createHash("sha256").update(bytes.subarray(0, bytesRead)).digest("hex")}`;
  } finally {
    await handle.close();
  }
}

/** Is this still the file whose head was recorded? (It may have grown; its first bytes must not have changed.) */
export async function sameHead(path: string, size: number, recorded: string): Promise<boolean> {
  const length = Number(recorded.slice(0, recorded.indexOf(":")));
  if (!Number.isSafeInteger(length) || length > size) return false;
  return (await fileHead(path, size, length)) === recorded;
}
