/** Where a command reads and writes; the real process streams in `bin.ts`, buffers in tests. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
  /** Reads one line of input (for confirmations); resolves null at end of input. */
  readonly readLine: (prompt: string) => Promise<string | null>;
  readonly env: NodeJS.ProcessEnv;
  /** The clock; injected in tests. */
  readonly now: () => Date;
  /**
   * For a command that runs until interrupted (`tail -f`): a signal aborted on Ctrl-C (SIGINT) or
   * SIGTERM, so the command can stop, close the store and exit cleanly; `release` restores the
   * default handling. Absent: the command cannot be interrupted that way (it never waits forever).
   */
  readonly interruption?: () => { readonly signal: AbortSignal; readonly release: () => void };
  /**
   * A signal aborted at the first SIGINT or SIGTERM from now on, for commands that run until
   * stopped (`import --watch`): they finish their work in hand and return. Tests inject their own.
   */
  readonly untilInterrupted?: () => AbortSignal;
}

/** Writes one line to stdout. */
export const println = (io: CliIo, text = ""): void => {
  io.stdout.write(`${text}\n`);
};
