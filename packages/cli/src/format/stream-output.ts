import type { CliIo } from "../io.js";

type Waitable = { once?(event: string, listener: () => void): unknown; off?(event: string, listener: () => void): unknown };

/**
 * Writes text to stdout and, when the stream's buffer is full, waits until it drains (or closes),
 * so a command streaming a large result holds back its source instead of filling memory.
 */
export async function writeOut(io: CliIo, text: string): Promise<void> {
  if (io.stdout.write(text) !== false) return;
  const stream = io.stdout as CliIo["stdout"] & Waitable;
  if (!stream.once) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      for (const event of ["drain", "close", "error"]) stream.off?.(event, done);
      resolve();
    };
    for (const event of ["drain", "close", "error"]) stream.once!(event, done);
  });
}
