import { createInterface } from "node:readline";
import type { CliIo } from "./io.js";

let watchingStdout = false;

/** The real process's streams and clock. */
export function processIo(): CliIo {
  if (!watchingStdout) {
    watchingStdout = true;
    // `llm-accounting stats | head` closes the pipe early: that ends the output, it is not an error.
    process.stdout.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
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
