/** An inclusive time range: records with `start <= timestamp <= end` are in it. */
export interface TimeRange {
  readonly start: Date;
  readonly end: Date;
}
