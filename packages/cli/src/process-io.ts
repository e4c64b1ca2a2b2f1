import { createInterface } from "node:readline";
import type { CliIo } from "./io.js";

/** The real process's streams and clock. */
export function processIo(): CliIo {
  let lines: AsyncIterator<string> | undefined;
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    now: () => new Date(),
    readLine: async (prompt) => {
      process.stdout.write(prompt);
      lines ??= createInterface({ input: process.stdin, terminal: false })[Symbol.asyncIterator]();
      const next = await lines.next();
      return next.done ? null : next.value;
    },
  };
}
