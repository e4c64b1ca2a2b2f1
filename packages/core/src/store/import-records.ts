import type { NewAuditEntry } from "./audit-records.js";
import type { NewQuotaRejection } from "./quota-records.js";
import type { NewUsageRecord } from "./usage-record.js";

/** Rows of one table copied from another database. */
export type ImportBatch =
  | { readonly kind: "usage"; readonly rows: readonly NewUsageRecord[] }
  | { readonly kind: "audit"; readonly rows: readonly NewAuditEntry[] }
  | { readonly kind: "rejections"; readonly rows: readonly NewQuotaRejection[] };

/** How far an import from one source table has got: the last source id copied. */
export interface ImportCursor {
  readonly key: string;
  readonly value: number;
}

/** The part of the contract imports use: resumable, idempotent copies. */
export interface ImportStore {
  /** The last source id recorded under `key` (0 when nothing was imported yet). */
  importCursor(key: string): Promise<number>;
  /** Writes the batch and moves the cursor in one atomic step, so a rerun never copies a row twice. */
  importRows(batch: ImportBatch, cursor: ImportCursor): Promise<void>;
}
