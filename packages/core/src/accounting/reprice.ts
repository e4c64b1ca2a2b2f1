import type { PricedUsage, PriceQuote } from "../pricing/pricer.js";
import { pricedUsageOf } from "../pricing/price-record.js";
import type { TimeRange } from "../store/time-range.js";
import type { CostSource } from "../store/usage-record.js";
import type { CostChange } from "../store/cost-change.js";
import type { UsageStore } from "../store/usage-store.js";
import { costUpdatesOf } from "../fallbacks/cost-updates.js";

/** How `reprice` treats the period. */
export interface RepriceOptions {
  /** Write the new costs (default: dry run, nothing changes). */
  readonly apply?: boolean;
  /** Also recompute costs the caller gave explicitly (default: keep them). */
  readonly includeCallerCosts?: boolean;
  /** Also recompute costs the provider reported (`costSource: "provider"`; default: keep them, they are what was billed). */
  readonly includeProviderCosts?: boolean;
  /**
   * Told how far it has come: `scanning` (records read and quoted, of the records in the period)
   * and, when applying, `updating` (changes written, of all changes). For a progress display.
   */
  readonly onProgress?: (step: RepriceStep, done: number, total: number) => void;
}

/** The two phases of a reprice, as progress reports name them. */
export type RepriceStep = "scanning" | "updating";

/** One record whose cost would change (or did, when applied). */
export interface RepriceChange {
  /** The usage record's id. */
  readonly id: number;
  /** When the call happened. */
  readonly timestamp: Date;
  readonly model: string;
  /** The cost stored before, in nano-dollars. */
  readonly oldCostNanos: bigint;
  /** The cost from the current prices, in nano-dollars. */
  readonly newCostNanos: bigint;
  /** The cost source the record gets. */
  readonly costSource: CostSource;
}

/** What a reprice found: every change, the totals before and after, and what stayed unpriced. */
export interface RepriceResult {
  /** Whether the changes were written (`apply`), or only computed. */
  readonly applied: boolean;
  /** Records in the period that were considered. */
  readonly examined: number;
  /** Every record whose cost (or cost source) changes, in id order. */
  readonly changes: RepriceChange[];
  /** The examined records' total cost before, in nano-dollars. */
  readonly oldTotalNanos: bigint;
  /** Their total cost at the current prices (unpriced ones keep their old cost), in nano-dollars. */
  readonly newTotalNanos: bigint;
  /** Models that still have no price, with how many records each. */
  readonly unpriced: ReadonlyMap<string, number>;
}

const PAGE = 2000;

/**
 * Pages through the period, quoting each record; when applying, hands every change to the store,
 * which writes them in bounded transactions (other processes keep recording meanwhile).
 */
export async function repriceRecords(store: UsageStore, range: TimeRange, quote: (usage: PricedUsage) => PriceQuote | undefined, options: RepriceOptions): Promise<RepriceResult> {
  // A store that cannot change costs refuses to apply before the scan, not after it.
  const updateCosts = options.apply ? costUpdatesOf(store) : null;
  const changes: RepriceChange[] = [];
  const unpriced = new Map<string, number>();
  const onProgress = options.onProgress;
  // Counting costs one more query; only worth it when someone watches.
  const inPeriod = onProgress ? (await store.sumUsage(range)).requests : 0;
  let scanned = 0;
  let examined = 0;
  let oldTotal = 0n;
  let newTotal = 0n;
  onProgress?.("scanning", 0, inPeriod);
  for (let afterId = 0; ; ) {
    const page = await store.usageInRange(range, afterId, PAGE);
    if (page.length === 0) break;
    afterId = page[page.length - 1]!.id;
    scanned += page.length;
    // Rows tracked meanwhile can push the count past the first estimate.
    onProgress?.("scanning", scanned, Math.max(inPeriod, scanned));
    for (const record of page) {
      const callerGiven = record.costSource === "caller" || (record.costSource === null && record.costNanos !== 0n);
      if (callerGiven && !options.includeCallerCosts) continue;
      if (record.costSource === "provider" && !options.includeProviderCosts) continue;
      examined += 1;
      oldTotal += record.costNanos;
      const answer = quote(pricedUsageOf(record));
      if (!answer?.priced) {
        unpriced.set(record.model, (unpriced.get(record.model) ?? 0) + 1);
        newTotal += record.costNanos;
        // A zero-cost row of unknown origin is now known to be unpriced; a legacy row with a cost keeps it, and its null source.
        if (answer && record.costSource === null && record.costNanos === 0n) changes.push({ id: record.id, timestamp: record.timestamp, model: record.model, oldCostNanos: 0n, newCostNanos: 0n, costSource: "unpriced" });
        continue;
      }
      newTotal += answer.costNanos;
      if (answer.costNanos !== record.costNanos || record.costSource !== "price") {
        changes.push({ id: record.id, timestamp: record.timestamp, model: record.model, oldCostNanos: record.costNanos, newCostNanos: answer.costNanos, costSource: "price" });
      }
    }
    if (page.length < PAGE) break;
  }
  if (onProgress && scanned < inPeriod) onProgress("scanning", scanned, scanned);
  if (updateCosts && changes.length > 0) {
    const updates = changes.map((c): CostChange => ({ id: c.id, costNanos: c.newCostNanos, costSource: c.costSource }));
    await updateCosts(updates, onProgress && ((done, total) => onProgress("updating", done, total)));
  }
  return { applied: options.apply === true, examined, changes, oldTotalNanos: oldTotal, newTotalNanos: newTotal, unpriced };
}
