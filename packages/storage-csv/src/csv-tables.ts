import { accessSync, constants, mkdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { StoreUnavailableError, ValidationError, type AuditEntry, type ModelPrice, type QuotaRejection, type UsageLimit, type UsageRecord, type UserRecord } from "@llm-accounting/core";
import { alertCodec, auditCodec, counterCodec, limitCodec, priceCodec, projectCodec, rejectionCodec, reservationCodec, usageCodec, userCodec, type AlertRow, type CounterRow, type ReservationRow } from "./codecs.js";
import { DirLock } from "./dir-lock.js";
import { TableFile } from "./table-file.js";

/** Options of the CSV store. */
export interface CsvStoreOptions {
  /** The data directory, created if missing. Default `data/` under the working directory. */
  readonly dir?: string;
  /**
   * `normal` (default): an acknowledged record survives a crash of the process (as SQLite's
   * default). `full`: every append is fsynced, so it also survives power loss or an OS crash.
   */
  readonly durability?: "normal" | "full";
  /**
   * Only read (default false): the directory must exist already (a mistyped path is an error, not
   * a new empty store), no file is created or changed, and every write rejects.
   */
  readonly readOnly?: boolean;
  /** Told once per wait, after a second, what a call waits for (the lock's holder): e.g. print it on stderr. */
  readonly onLockWait?: (message: string) => void;
  /**
   * How long a lock whose owner cannot be checked (a process on another host sharing the directory
   * over a network file system) may go unrefreshed before it is taken over. Default 60 s. A lock
   * whose owner died on this machine is taken over at once.
   */
  readonly lockStaleMs?: number;
}

/** Counter key of the limits version. */
export const LIMITS_VERSION = "limits_version";
/** Counter key bumped before usage records are changed or deleted (as the SQL stores' triggers do). */
export const USAGE_MUTATIONS = "entries_mutations";
/** Counter key of the projects' and users' registry version. */
export const REGISTRY_VERSION = "registry_version";

/**
 * The CSV directory: its lock and one cached file per table. Every read runs in a locked step with
 * every table up to date; every write runs in an all-or-nothing locked step. Row lists are only
 * read or changed inside such a step.
 */
export class CsvTables {
  readonly dir: string;
  readonly readOnly: boolean;
  readonly usage: TableFile<UsageRecord>;
  readonly limits: TableFile<UsageLimit>;
  readonly reservations: TableFile<ReservationRow>;
  readonly rejections: TableFile<QuotaRejection>;
  readonly audit: TableFile<AuditEntry>;
  readonly projects: TableFile<{ id: number; name: string }>;
  readonly users: TableFile<UserRecord>;
  readonly counters: TableFile<CounterRow>;
  readonly prices: TableFile<ModelPrice>;
  readonly alerts: TableFile<AlertRow>;
  readonly #lock: DirLock;
  #opened = false;

  constructor(options: CsvStoreOptions) {
    this.dir = resolve(options.dir ?? "data");
    this.readOnly = options.readOnly ?? false;
    this.#lock = new DirLock(this.dir, { staleMs: options.lockStaleMs, onWait: options.onLockWait });
    const file = (name: string) => join(this.dir, `${name}.csv`);
    const fsync = options.durability === "full";
    const ro = this.readOnly;
    this.usage = new TableFile(file("accounting_entries"), usageCodec, fsync, ro);
    this.limits = new TableFile(file("usage_limits"), limitCodec, fsync, ro);
    this.reservations = new TableFile(file("quota_reservations"), reservationCodec, fsync, ro);
    this.rejections = new TableFile(file("quota_rejections"), rejectionCodec, fsync, ro);
    this.audit = new TableFile(file("audit_log_entries"), auditCodec, fsync, ro);
    this.projects = new TableFile(file("projects"), projectCodec, fsync, ro);
    this.users = new TableFile(file("users"), userCodec, fsync, ro);
    this.counters = new TableFile(file("store_counters"), counterCodec, fsync, ro);
    this.prices = new TableFile(file("model_prices"), priceCodec, fsync, ro);
    this.alerts = new TableFile(file("alerts"), alertCodec, fsync, ro);
  }

  get #tables(): TableFile<{ id: number }>[] {
    return [this.usage, this.limits, this.reservations, this.rejections, this.audit, this.projects, this.users, this.counters, this.prices, this.alerts] as TableFile<{ id: number }>[];
  }

  /** Checks the directory (a writer creates it and every missing table file); once until `close`. */
  async open(): Promise<void> {
    if (this.#opened) return;
    if (this.readOnly) {
      // Nothing to create or upgrade: a reader takes the files as they are.
      if (!statSync(this.dir, { throwIfNoEntry: false })?.isDirectory()) {
        throw new ValidationError("dir", `"${this.dir}" is not an existing CSV directory: nothing has been recorded there (check the path)`);
      }
      this.#opened = true;
      return;
    }
    try {
      mkdirSync(this.dir, { recursive: true });
      accessSync(this.dir, constants.W_OK);
    } catch (error) {
      throw new StoreUnavailableError(`cannot use the CSV directory ${this.dir}: ${(error as Error).message}`, { cause: error });
    }
    await this.#lock.run(() => {
      for (const table of this.#tables) table.ensure();
    });
    this.#opened = true;
  }

  /** Makes the next step check the directory again. */
  close(): void {
    this.#opened = false;
  }

  /** Runs `work` under the directory lock with every table up to date. */
  async locked<T>(work: () => T): Promise<T> {
    await this.open();
    return this.#lock[this.readOnly ? "runShared" : "run"](() => {
      for (const table of this.#tables) table.refresh();
      return work();
    });
  }

  /**
   * Runs a writing `work` like `locked`, all or nothing: if any step throws (a full disk), the
   * rows it appended to any table are truncated away before the error reaches the caller.
   */
  write<T>(work: () => T): Promise<T> {
    if (this.readOnly) return Promise.reject(new StoreUnavailableError(`the CSV store ${this.dir} was opened read-only`));
    return this.locked(() => {
      for (const table of this.#tables) table.begin();
      try {
        return work();
      } catch (error) {
        for (const table of this.#tables) table.undo();
        throw error;
      }
    });
  }

  /** A counter's value (0 when never set). Call inside a step. */
  counter(key: string): number {
    return this.counters.rows.find((c) => c.key === key)?.value ?? 0;
  }

  /** Adds one to a counter. Call inside a write step. */
  bump(key: string): void {
    this.setCounter(key, this.counter(key) + 1);
  }

  /** Sets a counter. Call inside a write step. */
  setCounter(key: string, value: number): void {
    const existing = this.counters.rows.find((c) => c.key === key);
    if (!existing) this.counters.append([{ key, value }]);
    else this.counters.rewrite(this.counters.rows.map((c) => (c.key === key ? { ...c, value } : c)));
  }
}
