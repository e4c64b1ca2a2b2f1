/**
 * How a quota window is cut for summing: whole minute, hour and day buckets between raw rows at
 * its ragged edges. Pure arithmetic on instants, shared by the SQLite cache and both SQL stores.
 */

/** Bucket lengths in seconds, finest first: minute, hour, UTC day (all aligned to the epoch). */
export const BUCKET_SPANS = [60, 3600, 86400] as const;

/** Raw rows of `[from, to)` (or `[from, to]` when closed), instants in ms; `less`: subtracted, not added. */
export interface RowsPart {
  readonly kind: "rows";
  readonly from: number;
  readonly to: number;
  readonly closed: boolean;
  readonly less?: boolean;
}

/** Whole buckets of one span whose start is in `[from, to)`, epoch seconds. */
export interface BucketsPart {
  readonly kind: "buckets";
  readonly span: number;
  readonly from: number;
  readonly to: number;
}

/** A piece of a window: raw rows at its ragged edges, whole buckets between. */
export type WindowPart = RowsPart | BucketsPart;

const NO_ROWS: RowsPart = { kind: "rows", from: 0, to: 0, closed: false };
const noBuckets = (span: number): BucketsPart => ({ kind: "buckets", span, from: 0, to: 0 });
const MINUTE_MS = 60_000;

/** Whether a part covers nothing. */
export const isEmptyPart = (part: WindowPart): boolean => (part.kind === "rows" ? part.to < part.from || (part.to === part.from && !part.closed) : part.to <= part.from);

/**
 * Cuts the window `start <= t <= end` (ms) into seven parts in time order: raw rows before the
 * first whole minute, minutes up to the first whole hour, hours up to the first whole day, days,
 * then hours, minutes and the raw rows of the last, unfinished minute (a window inside one minute
 * is one part of raw rows). Some parts may be empty;
 * the count never changes, so statements built from them keep one shape. A 30-day window reads
 * at most 2 x (59 + 23) + 30 buckets per filter, whatever the number of rows.
 */
export function windowParts(start: number, end: number): WindowPart[] {
  const [minute, hour, day] = BUCKET_SPANS;
  const empty = [NO_ROWS, noBuckets(minute), noBuckets(hour), noBuckets(day), noBuckets(hour), noBuckets(minute), NO_ROWS];
  if (end < start) return empty;
  const a = Math.ceil(start / MINUTE_MS) * MINUTE_MS;
  // The bucket holding `end` may hold rows after it: the last minute is always read row by row.
  const b = Math.floor(end / MINUTE_MS) * MINUTE_MS;
  if (a > b) return [NO_ROWS, noBuckets(minute), noBuckets(hour), noBuckets(day), noBuckets(hour), noBuckets(minute), { kind: "rows", from: start, to: end, closed: true }];
  const head: RowsPart = a > start ? { kind: "rows", from: start, to: a, closed: false } : NO_ROWS;
  const tail: RowsPart = { kind: "rows", from: b, to: end, closed: true };
  // Across one minute boundary (a rolling minute): two edges, each of which a reader may take
  // from its minute's bucket instead of its rows.
  if (a === b) return [head, noBuckets(minute), noBuckets(hour), noBuckets(day), noBuckets(hour), noBuckets(minute), tail];
  let lo = a / 1000;
  let hi = b / 1000;
  const left: BucketsPart[] = [];
  const right: BucketsPart[] = [];
  for (const [i, span] of [minute, hour].entries()) {
    const coarser = BUCKET_SPANS[i + 1]!;
    const lo2 = Math.ceil(lo / coarser) * coarser;
    const hi2 = Math.floor(hi / coarser) * coarser;
    if (lo2 >= hi2) {
      // No whole coarser bucket inside: this span covers the rest.
      left.push({ kind: "buckets", span, from: lo, to: hi });
      right.unshift(noBuckets(span));
      for (const finer of i === 0 ? [hour] : []) (left.push(noBuckets(finer)), right.unshift(noBuckets(finer)));
      return [head, ...left, noBuckets(day), ...right, tail];
    }
    left.push({ kind: "buckets", span, from: lo, to: lo2 });
    right.unshift({ kind: "buckets", span, from: hi2, to: hi });
    lo = lo2;
    hi = hi2;
  }
  return [head, ...left, { kind: "buckets", span: day, from: lo, to: hi }, ...right, tail];
}

/** Windows ending at or after this instant (ms) end nowhere: guarded writes use the far future. */
export const OPEN_END_MS = Date.UTC(9999, 11, 31);
/** A bucket start past every representable row (epoch seconds, year 10000). */
const NO_END_S = Date.UTC(10000, 0, 1) / 1000;

/**
 * The parts of `start <= t` without end: raw rows up to the first whole minute, minutes up to the
 * first whole hour, hours up to the first whole day, then every day bucket from there. Four
 * reads where a closed window takes seven: the last day bucket holds every later row.
 */
export function openEndedParts(start: number): WindowPart[] {
  const [minute, hour, day] = BUCKET_SPANS;
  const a = Math.ceil(start / MINUTE_MS) * MINUTE_MS;
  const head: RowsPart = a > start ? { kind: "rows", from: start, to: a, closed: false } : NO_ROWS;
  const lo = a / 1000;
  const toHour = Math.ceil(lo / hour) * hour;
  const toDay = Math.ceil(lo / day) * day;
  return [head, { kind: "buckets", span: minute, from: lo, to: toHour }, { kind: "buckets", span: hour, from: toHour, to: toDay }, { kind: "buckets", span: day, from: toDay, to: NO_END_S }];
}

/**
 * `windowParts` with each ragged edge read from whichever side of it holds less: a minute's
 * bucket less the rows on the far side of the edge, when that side is shorter (or, for the last
 * minute, when the window ends at `now`: nothing is written after now, while the current minute
 * holds every row of a steady write load). Exact: stored instants are whole milliseconds, so the
 * rows after `end` start at `end` + 1. Windows within one minute keep their raw rows.
 */
export function liveWindowParts(start: number, end: number, now: number): WindowPart[] {
  const parts = windowParts(start, end);
  const tail = parts[parts.length - 1] as RowsPart;
  if (tail.from % MINUTE_MS !== 0) return parts;
  const out = [...shorterHead(parts[0] as RowsPart, start), ...parts.slice(1, -1)];
  const tailEnd = tail.from + MINUTE_MS;
  if (end >= now || tailEnd - end < end - tail.from) out.push(wholeMinute(tail.from), { kind: "rows", from: end + 1, to: tailEnd, closed: false, less: true });
  else out.push(tail);
  return out;
}

/** `openEndedParts` with the first, partial minute read from its shorter side, as `liveWindowParts` does. */
export function liveOpenEndedParts(start: number): WindowPart[] {
  const parts = openEndedParts(start);
  return [...shorterHead(parts[0] as RowsPart, start), ...parts.slice(1)];
}

const wholeMinute = (from: number): BucketsPart => ({ kind: "buckets", span: BUCKET_SPANS[0], from: from / 1000, to: from / 1000 + 60 });

// The rows of [start, next minute), or that minute's bucket less the rows before `start` when fewer ms precede it.
function shorterHead(head: RowsPart, start: number): WindowPart[] {
  const minute = head.to - MINUTE_MS;
  if (isEmptyPart(head) || start - minute >= head.to - start) return [head];
  return [wholeMinute(minute), { kind: "rows", from: minute, to: start, closed: false, less: true }];
}
