import { createHash } from "node:crypto";
import { lstatSync, lutimesSync, readlinkSync, rmSync, symlinkSync, unlinkSync } from "node:fs";
import { basename, join } from "node:path";
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
  /**
   * Tests only: called after this process judged the lock (or a breaker's claim) at `path` stale
   * and before it claims the right to break it, so a test can let others act in between.
   */
  readonly beforeBreak?: (path: string) => void;
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
  readonly #beforeBreak: ((path: string) => void) | undefined;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(dir: string, options: DirLockOptions = {}) {
    this.#dir = dir;
    this.#path = join(dir, ".lock");
    this.#staleMs = options.staleMs ?? 60_000;
    this.#onWait = options.onWait;
    this.#beforeBreak = options.beforeBreak;
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
    const now = holderAt(this.#path);
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
      const holder = holderAt(this.#path);
      if (!holder) continue;
      // A stale lock another breaker is busy with is waited for like a live one, briefly.
      if (this.#isStale(holder) && this.#breakStale(this.#path, holder)) continue;
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

  #isStale(holder: Holder): boolean {
    const owner = holder.text === null ? null : parseOwner(holder.text);
    if (owner && ownerIsDead(owner)) return true;
    // A live owner on this machine keeps its lock however long it works; elsewhere only age tells.
    if (owner && onThisMachine(owner)) return false;
    return Date.now() - holder.mtimeMs > this.#staleMs;
  }

  /**
   * Removes the stale lock (or a dead breaker's claim) at `path` that was judged to record
   * `judged.text`, and nothing else: waiters that judged the same lock stale at the same time must
   * not remove, move or recreate the live lock one of them has taken since. Breaking needs a claim,
   * a symlink named after the exact text judged (see `breakClaimPath`) and created atomically, so
   * only one process breaks a given lock at a time; holding it, the breaker reads the lock again and
   * removes it only if it still records that text and is still stale. Nobody else removes a stale
   * lock (its owner is dead, and other breakers wait for the claim), so what it read is what it
   * removes. A claim whose breaker died is itself broken this way, under a claim named after it.
   * Returns false when a live breaker holds the claim (the caller waits), true otherwise (retry now).
   */
  #breakStale(path: string, judged: Holder): boolean {
    this.#beforeBreak?.(path);
    const claim = breakClaimPath(this.#path, path, judged.text);
    const mine = formatOwner(currentOwner(Date.now()));
    try {
      symlinkSync(mine, claim);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw new StoreUnavailableError(`cannot take over the stale CSV store lock at ${this.#dir}: ${(error as Error).message}`, { cause: error });
      const breaker = holderAt(claim);
      if (!breaker) return true;
      if (!this.#isStale(breaker)) return false;
      this.#breakStale(claim, breaker);
      return true;
    }
    try {
      const now = holderAt(path);
      if (now && now.text === judged.text && this.#isStale(now)) {
        // force: gone already only if a process of an older version, which breaks locks without
        // a claim, got there first; that is no reason for this call to fail.
        rmSync(path, { recursive: now.text === null, force: true });
      }
    } finally {
      // Only a breaker that judged this process dead removes its claim, which never happens while
      // it lives on this machine; checking anyway keeps a mistaken judge's claim intact.
      if (holderAt(claim)?.text === mine) unlinkSync(claim);
    }
    return true;
  }
}

/** The claim a process creates to break the stale lock or claim at `path` recording `text` (null: an old lock directory). */
export function breakClaimPath(lockPath: string, path: string, text: string | null): string {
  // Named after the exact text judged stale, so a claim left by a killed breaker is only ever
  // in the way of breaking that one lock, and is broken in turn under a claim named after it.
  const digest = createHash("sha256").update(`${basename(path)}\n${text ?? "<directory>"}`).digest("hex").slice(0, 16);
  return `${lockPath}.break-${digest}`;
}

/** What holds the lock (or claim) at `path` now, or null when there is none. */
function holderAt(path: string): Holder | null {
  try {
    const stat = lstatSync(path);
    return { text: stat.isSymbolicLink() ? readlinkSync(path) : null, mtimeMs: stat.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/** "held by pid N on host H since T", for messages. */
function describe(holder: Holder): string {
  const owner = holder.text === null ? null : parseOwner(holder.text);
  if (!owner) return `held by an unknown process (no owner recorded), last refreshed ${new Date(holder.mtimeMs).toISOString()}`;
  return `held by pid ${owner.pid} on host ${owner.host} since ${new Date(owner.since).toISOString()}`;
}
