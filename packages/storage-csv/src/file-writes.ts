import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { StoreUnavailableError } from "@llm-accounting/core";

/**
 * Writes all of `bytes` at the end of `fd`. write() may store only part of a buffer (a disk that
 * fills up mid-write): the rest is retried, and a write that stores nothing more throws.
 */
export function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) {
    const written = writeSync(fd, bytes, done, bytes.length - done);
    if (written <= 0) throw Object.assign(new Error(`write stored ${done} of ${bytes.length} bytes`), { code: "ENOSPC" });
    done += written;
  }
}

/** The one-line error for a write to `path` that failed and was undone. */
export function writeFailed(path: string, error: unknown): StoreUnavailableError {
  const code = (error as { code?: string }).code;
  const reason = code === "ENOSPC" ? "the disk is full" : code === "EDQUOT" ? "the disk quota is exhausted" : (error as Error).message;
  return new StoreUnavailableError(`cannot write ${path}: ${reason}; nothing was written`, { cause: error });
}

/**
 * Replaces `path` with `text` through a temporary file and a rename, so readers and crashes see the
 * old file or the new one, never a mix; a failed write removes the temporary file and leaves the
 * old file as it was.
 */
export function replaceFile(path: string, text: string): void {
  const temp = `${path}.tmp-${process.pid}`;
  try {
    const fd = openSync(temp, "w");
    try {
      writeAll(fd, Buffer.from(text, "utf8"));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw writeFailed(path, error);
  }
}
