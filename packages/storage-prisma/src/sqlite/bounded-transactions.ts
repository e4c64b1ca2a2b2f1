import type Database from "better-sqlite3";

/** Rows per write transaction: another process's write then waits milliseconds, not the whole operation. */
export const ROWS_PER_TRANSACTION = 2_000;

// Another process waiting for the lock polls it from SQLite's busy handler (every 1 to 100 ms):
// released for only an instant, the lock would almost always be taken again before it looks.
// Pausing for a third of the time the lock was held leaves it free a quarter of the time: each
// poll then finds it free with odds of 1 in 4, so a waiter gets in within a few polls.
const MIN_PAUSE_MS = 2;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `step` in one immediate (write-locking) transaction after another until it reports 0 rows,
 * pausing between them so writers in other processes get the lock. Returns the rows done in all;
 * `onStep` hears the running total after each transaction.
 */
export async function runBoundedTransactions(db: Database.Database, step: () => number, onStep?: (done: number) => void): Promise<number> {
  const transaction = db.transaction(step);
  let done = 0;
  for (;;) {
    const started = performance.now();
    const rows = transaction.immediate();
    const heldMs = performance.now() - started;
    if (rows === 0) return done;
    done += rows;
    onStep?.(done);
    await pause(Math.max(MIN_PAUSE_MS, heldMs / 3));
  }
}
