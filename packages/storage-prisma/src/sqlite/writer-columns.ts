// The writer thread's copy of the column lists that shared/sql-columns.ts derives from core's
// USAGE_RECORD_COLUMNS: the thread must not load @llm-accounting/core, so this file imports
// nothing. test/writer-columns.test.ts keeps the two equal.

/** The accounting_entries columns every insert writes, in parameter order. */
export const USAGE_COLUMNS = [
  "timestamp",
  "model",
  "prompt_tokens",
  "completion_tokens",
  "total_tokens",
  "local_prompt_tokens",
  "local_completion_tokens",
  "local_total_tokens",
  "cached_tokens",
  "reasoning_tokens",
  "cost_nanos",
  "execution_time",
  "cache_write_tokens",
  "cost_source",
  "provider",
  "caller_name",
  "username",
  "project",
  "session",
] as const;

/** The accounting_entries columns the rollup tables (usage_hourly, usage_daily_dims) sum as they are. */
export const ROLLUP_SUMMED = [
  "prompt_tokens",
  "completion_tokens",
  "total_tokens",
  "local_prompt_tokens",
  "local_completion_tokens",
  "local_total_tokens",
  "cached_tokens",
  "reasoning_tokens",
  "cost_nanos",
] as const;
