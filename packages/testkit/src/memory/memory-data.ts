import type {
  AgentLogFile,
  AuditEntry,
  ModelPrice,
  NewReservation,
  QuotaRejection,
  StoredAlert,
  UsageLimit,
  UsageRecord,
  UserRecord,
} from "@llm-accounting/core";

/** An open reservation as the memory store keeps it. */
export interface ReservationRow extends NewReservation {
  readonly id: number;
}

/** An alert with its delivery lease: the lease is the store's business, never shown to callers. */
export interface AlertRow extends StoredAlert {
  /** Until when a deliverer holds the alert (epoch ms); null when nobody does. */
  readonly leaseUntil: number | null;
}

/** What the agent-log import remembers of one call: the usage row it became and its size. */
export interface AgentCallRow {
  readonly entryId: number;
  readonly tokens: number;
}

/**
 * Everything a memory store holds, the way a database holds tables. It is a separate object so
 * that two `MemoryStore`s can share one (`new MemoryStore({ data: store.data })`): the contract
 * kit's `reopen`, standing in for a second connection or process on the same database.
 *
 * Arrays are kept in insertion (id) order, which is the order the contract asks for wherever it
 * does not name another; ids only grow and are never reused, as with SQL sequences.
 */
export class MemoryData {
  usage: UsageRecord[] = [];
  limits: UsageLimit[] = [];
  reservations: ReservationRow[] = [];
  rejections: QuotaRejection[] = [];
  audit: AuditEntry[] = [];
  projects: string[] = [];
  users: UserRecord[] = [];
  prices: ModelPrice[] = [];
  alerts: AlertRow[] = [];
  readonly agentCalls = new Map<string, AgentCallRow>();
  /** Agent log files by source and path. */
  readonly agentFiles = new Map<string, AgentLogFile>();
  readonly importCursors = new Map<string, number>();

  /**
   * Change counters other processes compare to decide whether their caches are stale. A SQL
   * store bumps them in triggers; here every method that changes the table bumps its counter.
   */
  limitsVersion = 0;
  registryVersion = 0;
  usageMutations = 0;

  readonly #lastIds = new Map<string, number>();

  /** The next id of a table (1, 2, 3, ...), like an auto-increment column. */
  nextId(table: string): number {
    const id = (this.#lastIds.get(table) ?? 0) + 1;
    this.#lastIds.set(table, id);
    return id;
  }
}
