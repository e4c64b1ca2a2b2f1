/** One audit log entry as the store receives it: a prompt, a response or any other event. */
export interface NewAuditEntry {
  readonly timestamp: Date;
  readonly appName: string;
  readonly userName: string;
  readonly model: string;
  readonly promptText: string | null;
  readonly responseText: string | null;
  readonly remoteCompletionId: string | null;
  readonly project: string | null;
  /** Free text; `prompt`, `response` and `event` by convention. */
  readonly logType: string;
  readonly session: string | null;
}

/** A stored audit log entry. */
export interface AuditEntry extends NewAuditEntry {
  readonly id: number;
}

/** Filters for reading the audit log; every given field must match. Newest first. */
export interface AuditFilter {
  readonly start?: Date;
  readonly end?: Date;
  readonly appName?: string;
  readonly userName?: string;
  /** Only entries of this model. */
  readonly model?: string;
  /** A project name, or null for entries without one. */
  readonly project?: string | null;
  readonly logType?: string;
  readonly session?: string;
  /** At most this many entries. */
  readonly limit?: number;
}

/** The audit part of the store contract; an audit log may live in a store of its own. */
export interface AuditStore {
  /** Where the data lives, for messages. */
  readonly description: string;
  open(): Promise<void>;
  close(): Promise<void>;
  /** Stores one entry durably; returns its id. */
  insertAuditEntry(entry: NewAuditEntry): Promise<number>;
  /** Entries matching the filter, newest first (by timestamp, then id). */
  listAuditEntries(filter?: AuditFilter): Promise<AuditEntry[]>;
}
