import { createInterface } from "node:readline";
import type { CliIo } from "./io.js";

let watchingStdout = false;

/**
 * The real process's streams and clock. Installs (once) a handler on stdout: when its reader goes
 * away (`llm-accounting stats | head`), later output is dropped and the command runs to its end,
 * so it closes the store and exits with its own code.
 */
export function processIo(): CliIo {
  if (!watchingStdout) {
    watchingStdout = true;
    process.stdout.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error;
      process.stdout.write = (() => true) as typeof process.stdout.write;
    });
  }
  let lines: AsyncIterator<string> | undefined;
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    now: () => new Date(),
    interruption: () => {
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      return {
        signal: controller.signal,
        release: () => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
        },
      };
    },
    untilInterrupted: () => {
      const stop = new AbortController();
      // Listeners, not the default handler: the command winds down (closes the store) and exits itself.
      const abort = () => {
        process.off("SIGINT", abort);
        process.off("SIGTERM", abort);
        stop.abort();
      };
      process.on("SIGINT", abort);
      process.on("SIGTERM", abort);
      return stop.signal;
    },
    readLine: async (prompt) => {
      process.stdout.write(prompt);
      lines ??= createInterface({ input: process.stdin, terminal: false })[Symbol.asyncIterator]();
      const next = await lines.next();
      return next.done ? null : next.value;
    },
  };
}
