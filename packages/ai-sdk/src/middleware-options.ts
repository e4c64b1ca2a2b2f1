import type { CallTrackingOptions } from "@llm-accounting/core";

/** Options of `accountingMiddleware`: where calls go, the names to record, the guard and the error hook. */
export type AccountingMiddlewareOptions = CallTrackingOptions;
