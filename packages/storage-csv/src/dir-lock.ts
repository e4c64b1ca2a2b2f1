import { join } from "node:path";
import lockfile from "proper-lockfile";
import { StoreUnavailableError } from "@llm-accounting/core";

/**
 * Exclusive access to a data directory, across processes (a lock directory created atomically by
 * proper-lockfile, refreshed while held and taken over when stale) and within this process (a
 * queue, so callers wait in order instead of polling the file system).
 */
export class DirLock {
  readonly #dir: string;
  readonly #staleMs: number;
  #tail: Promise<unknown> = Promise.resolve();

  /** `staleMs`: how long a holder may go without refreshing the lock before others take it over. */
  constructor(dir: string, staleMs = 60_000) {
    this.#dir = dir;
    this.#staleMs = staleMs;
  }

  /** Runs `work` while holding the lock; rejects (never crashes the process) if the lock was lost meanwhile. */
  run<T>(work: () => T | Promise<T>): Promise<T> {
    const result = this.#tail.then(async () => {
      let lost: Error | undefined;
      const release = await lockfile.lock(this.#dir, {
        lockfilePath: join(this.#dir, ".lock"),
        realpath: false,
        stale: this.#staleMs,
        // Wait longer than a lock can stay stale, so a crashed holder's lock is always reclaimed.
        retries: { retries: Math.ceil((this.#staleMs + 10_000) / 20), factor: 1.3, minTimeout: 2, maxTimeout: 20 },
        // proper-lockfile's default throws from a timer, which would kill the host process.
        onCompromised: (error) => {
          lost = error;
        },
      });
      try {
        const value = await work();
        if (lost) throw new StoreUnavailableError(`lost the lock on ${this.#dir} while working (${lost.message}): the write may have been stored, and another process may have written at the same time`, { cause: lost });
        return value;
      } finally {
        await release().catch(() => undefined);
      }
    });
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
