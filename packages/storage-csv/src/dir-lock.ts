import { lstatSync, lutimesSync, readlinkSync, renameSync, rmSync, symlinkSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { StoreUnavailableError } from "@llm-accounting/core";
import { currentOwner, formatOwner, onThisMachine, ownerIsDead, parseOwner } from "./lock-owner.js";

/** Options of a directory lock. */
export interface DirLockOptions {
  /**
   * How long a lock whose owner cannot be checked (another host on a shared file system, or one
   * written by an older version) may go without being refreshed before others take it over.
   */
  readonly staleMs?: number;
  /** Told once per wait, after a second, what the caller waits for (e.g. printed on stderr). */
  readonly onWait?: (message: string) => void;
}

/** What holds the lock now, as seen by a process waiting for it. */
interface Holder {
  /** The lock's recorded owner text; null for a lock directory of proper-lockfile (older versions). */
  readonly text: string | null;
  readonly mtimeMs: number;
}

const WAIT_NOTICE_MS = 1_000;

/**
 * Exclusive access to a data directory, across processes and within this process (a queue, so
 * callers wait in order instead of polling the file system). The lock is a symlink `.lock` whose
 * target records the owner (pid, process start time, host): creating it is atomic, it appears with
 * its owner already in it, and it needs no data block, so it still works on a full disk. A lock
 * whose owner died on this machine is taken over at once; one from another host is taken over
 * when it has not been refreshed for `staleMs`.
 */
export class DirLock {
  readonly #dir: string;
  readonly #path: string;
  readonly #staleMs: number;
  readonly #onWait: ((message: string) => void) | undefined;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(dir: string, options: DirLockOptions = {}) {
    this.#dir = dir;
    this.#path = join(dir, ".lock");
    this.#staleMs = options.staleMs ?? 60_000;
    this.#onWait = options.onWait;
  }

  /** Runs `work` while holding the lock; rejects (never crashes the process) if the lock was lost meanwhile. */
  run<T>(work: () => T | Promise<T>): Promise<T> {
    return this.#run(work, false);
  }

  /**
   * Runs a reader's `work` like `run`, or without the lock where this process may not create it
   * (a read-only mount, a directory it may only read): a reader must not fail for want of write access.
   */
  runShared<T>(work: () => T | Promise<T>): Promise<T> {
    return this.#run(work, true);
  }

  #run<T>(work: () => T | Promise<T>, shared: boolean): Promise<T> {
    const result = this.#tail.then(async () => {
      const mine = await this.#acquire(shared);
      if (mine === null) return work();
      let lost: Error | undefined;
      // Refreshing keeps owners on other hosts, which can only judge by age, from taking it over.
      const refresh = setInterval(() => {
        try {
          lost ??= this.#check(mine);
          if (!lost) lutimesSync(this.#path, new Date(), new Date());
        } catch {
          // A timer must not throw (it would end the process); the check after the work reports a loss.
        }
      }, Math.max(100, this.#staleMs / 4));
      refresh.unref();
      try {
        const value = await work();
        lost ??= this.#check(mine);
        if (lost) throw new StoreUnavailableError(`lost the lock on ${this.#dir} while working (${lost.message}): the write may have been stored, and another process may have written at the same time`, { cause: lost });
        return value;
      } finally {
        clearInterval(refresh);
        this.#release(mine);
      }
    });
    this.#tail = result.catch(() => undefined);
    return result;
  }

  // Removes the lock only while it is still ours: a lock taken over meanwhile belongs to another.
  #release(mine: string): void {
    try {
      if (this.#check(mine) === undefined) unlinkSync(this.#path);
    } catch {
      // Gone already, or unreadable: either way not ours to remove.
    }
  }

  /** An error if the lock no longer records `mine`. */
  #check(mine: string): Error | undefined {
    const now = this.#holder();
    return now?.text === mine ? undefined : new Error(now ? "another process holds it now" : "the lock was removed");
  }

  /** Takes the lock and returns what it records; null when `shared` and the directory refuses us. */
  async #acquire(shared: boolean): Promise<string | null> {
    const started = Date.now();
    const deadline = started + this.#staleMs + 10_000;
    let told = false;
    let pause = 1;
    for (;;) {
      const mine = formatOwner(currentOwner(Date.now()));
      try {
        symlinkSync(mine, this.#path);
        return mine;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (shared && (code === "EACCES" || code === "EROFS" || code === "EPERM")) return null;
        if (code !== "EEXIST") throw new StoreUnavailableError(`cannot lock the CSV directory ${this.#dir}: ${(error as Error).message}`, { cause: error });
      }
      const holder = this.#holder();
      if (!holder) continue;
      if (this.#isStale(holder)) {
        this.#breakStale(holder);
        continue;
      }
      const now = Date.now();
      if (!told && now - started >= WAIT_NOTICE_MS && this.#onWait) {
        told = true;
        this.#onWait(`waiting for the CSV store lock at ${this.#dir} ${describe(holder)}`);
      }
      if (now > deadline) throw new StoreUnavailableError(`timed out waiting for the CSV store lock at ${this.#dir} ${describe(holder)}`);
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(20, pause * 1.3 + 1);
    }
  }

  /** The current holder, or null when the lock is free. */
  #holder(): Holder | null {
    try {
      const stat = lstatSync(this.#path);
      return { text: stat.isSymbolicLink() ? readlinkSync(this.#path) : null, mtimeMs: stat.mtimeMs };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
  }

  #isStale(holder: Holder): boolean {
    const owner = holder.text === null ? null : parseOwner(holder.text);
    if (owner && ownerIsDead(owner)) return true;
    // A live owner on this machine keeps its lock however long it works; elsewhere only age tells.
    if (owner && onThisMachine(owner)) return false;
    return Date.now() - holder.mtimeMs > this.#staleMs;
  }

  /**
   * Removes a stale lock. It is first renamed aside, which only one of several waiters can do for
   * the same lock; if what was renamed is not the stale lock we judged (another waiter already
   * replaced it), it is put back.
   */
  #breakStale(holder: Holder): void {
    const aside = `${this.#path}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
    try {
      renameSync(this.#path, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    const text = lstatSync(aside).isSymbolicLink() ? readlinkSync(aside) : null;
    if (text === holder.text) {
      rmSync(aside, { recursive: true, force: true });
      return;
    }
    try {
      if (text === null) renameSync(aside, this.#path);
      else symlinkSync(text, this.#path);
    } catch {
      // A third process took the free lock in between; the owner we moved finds out when it checks.
    }
    rmSync(aside, { recursive: true, force: true });
  }
}

/** "held by pid N on host H since T", for messages. */
function describe(holder: Holder): string {
  const owner = holder.text === null ? null : parseOwner(holder.text);
  if (!owner) return `held by an unknown process (no owner recorded), last refreshed ${new Date(holder.mtimeMs).toISOString()}`;
  return `held by pid ${owner.pid} on host ${owner.host} since ${new Date(owner.since).toISOString()}`;
}
