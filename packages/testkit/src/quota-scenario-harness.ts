import { afterEach, beforeEach } from "vitest";
import { Accounting } from "@llm-accounting/core";
import type { IntervalUnit, LimitScope, LimitType, NewUsageLimit, UsageInput, UsageRecordResult, UsageStore } from "@llm-accounting/core";
import type { TestStoreOptions } from "./test-store-options.js";
import { freshStore } from "./fresh-store.js";

/** A limit as the scenarios write it: the names default to null and the interval to 1. */
export type LimitSpec = Partial<NewUsageLimit> & { scope: LimitScope; limitType: LimitType; maxValue: number; intervalUnit: IntervalUnit };

/** A limit spec with its defaults filled in. */
export const spec = (s: LimitSpec): NewUsageLimit => ({ intervalValue: 1, model: null, username: null, callerName: null, projectName: null, ...s });

/** What each quota scenario works with: a fresh store per test, behind a facade on a clock the test sets. */
export interface QuotaHarness {
  store: UsageStore;
  acct: Accounting;
  clock: Date;
  setClock(iso: string): void;
  /** The instant `ms` before the clock. */
  ago(ms: number): Date;
  limits(...specs: LimitSpec[]): Promise<void>;
  /** Tracks `input` at the clock's instant, `times` times at once. */
  track(input: UsageInput, times?: number): Promise<UsageRecordResult[]>;
}

const START = "2024-03-15T13:47:38.000Z";

/** Registers the harness's per-test setup in the current describe block and returns it. */
export function quotaHarness(options: TestStoreOptions): QuotaHarness {
  const h: QuotaHarness = {
    store: undefined as unknown as UsageStore,
    acct: undefined as unknown as Accounting,
    clock: new Date(START),
    setClock: (iso) => void (h.clock = new Date(iso)),
    ago: (ms) => new Date(h.clock.getTime() - ms),
    limits: async (...specs) => {
      for (const s of specs) await h.acct.setUsageLimit(spec(s));
    },
    track: (input, times = 1) => Promise.all(Array.from({ length: times }, () => h.acct.trackUsage({ timestamp: h.clock, ...input }))),
  };
  beforeEach(async () => {
    h.setClock(START);
    h.store = await freshStore(options);
    h.acct = new Accounting({ store: h.store, now: () => h.clock });
    await h.acct.open();
  });
  afterEach(async () => {
    await h.acct?.close();
  });
  return h;
}
