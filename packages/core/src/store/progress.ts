/** Told how far a long store operation (reprice, purge) has come: `done` of `total` rows. */
export type ProgressListener = (done: number, total: number) => void;

/** How `purgeUsage` runs. */
export interface PurgeOptions {
  /** Told after each bounded batch of deletions. */
  readonly onProgress?: ProgressListener;
  /** Only entries recorded strictly before this instant; every entry when omitted. */
  readonly before?: Date;
  /** Only entries of this project (entries without a project never match); every project when omitted. */
  readonly project?: string;
}
