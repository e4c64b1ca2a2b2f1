-- Hand-written: batch inserts maintain usage_hourly and usage_daily_dims once per batch (sums
-- computed by the writer) instead of once per row. While such a batch runs it holds the write
-- lock and a 'rollups_deferred' row exists in store_counters; the row is deleted before commit,
-- so every other writer, in any process, always sees the per-row triggers active.
DROP TRIGGER "accounting_entries_hourly_insert";
CREATE TRIGGER "accounting_entries_hourly_insert" AFTER INSERT ON "accounting_entries"
WHEN NOT EXISTS (SELECT 1 FROM "store_counters" WHERE "key" = 'rollups_deferred')
BEGIN
  INSERT INTO "usage_hourly" ("hour", "model", "requests", "prompt_tokens", "completion_tokens", "total_tokens", "local_prompt_tokens", "local_completion_tokens", "local_total_tokens", "cached_tokens", "reasoning_tokens", "cost_nanos", "execution_micros")
  VALUES (substr(NEW."timestamp", 1, 13) || ':00:00.000+00:00', NEW."model", 1, NEW."prompt_tokens", NEW."completion_tokens", NEW."total_tokens", NEW."local_prompt_tokens", NEW."local_completion_tokens", NEW."local_total_tokens", NEW."cached_tokens", NEW."reasoning_tokens", NEW."cost_nanos", CAST(round(NEW."execution_time" * 1000000) AS INTEGER))
  ON CONFLICT ("hour", "model") DO UPDATE SET "requests" = "requests" + 1, "prompt_tokens" = "prompt_tokens" + excluded."prompt_tokens", "completion_tokens" = "completion_tokens" + excluded."completion_tokens", "total_tokens" = "total_tokens" + excluded."total_tokens", "local_prompt_tokens" = "local_prompt_tokens" + excluded."local_prompt_tokens", "local_completion_tokens" = "local_completion_tokens" + excluded."local_completion_tokens", "local_total_tokens" = "local_total_tokens" + excluded."local_total_tokens", "cached_tokens" = "cached_tokens" + excluded."cached_tokens", "reasoning_tokens" = "reasoning_tokens" + excluded."reasoning_tokens", "cost_nanos" = "cost_nanos" + excluded."cost_nanos", "execution_micros" = "execution_micros" + excluded."execution_micros";
END;

DROP TRIGGER "accounting_entries_daily_dims_insert";
CREATE TRIGGER "accounting_entries_daily_dims_insert" AFTER INSERT ON "accounting_entries"
WHEN NOT EXISTS (SELECT 1 FROM "store_counters" WHERE "key" = 'rollups_deferred')
BEGIN
  INSERT INTO "usage_daily_dims" ("day", "username", "username_null", "project", "project_null", "caller_name", "caller_name_null", "requests", "prompt_tokens", "completion_tokens", "total_tokens", "local_prompt_tokens", "local_completion_tokens", "local_total_tokens", "cached_tokens", "reasoning_tokens", "cost_nanos", "execution_micros")
  VALUES (substr(NEW."timestamp", 1, 10) || 'T00:00:00.000+00:00', COALESCE(NEW."username", ''), (NEW."username" IS NULL), COALESCE(NEW."project", ''), (NEW."project" IS NULL), COALESCE(NEW."caller_name", ''), (NEW."caller_name" IS NULL), 1, NEW."prompt_tokens", NEW."completion_tokens", NEW."total_tokens", NEW."local_prompt_tokens", NEW."local_completion_tokens", NEW."local_total_tokens", NEW."cached_tokens", NEW."reasoning_tokens", NEW."cost_nanos", CAST(round(NEW."execution_time" * 1000000) AS INTEGER))
  ON CONFLICT ("day", "username", "username_null", "project", "project_null", "caller_name", "caller_name_null") DO UPDATE SET "requests" = "requests" + 1, "prompt_tokens" = "prompt_tokens" + excluded."prompt_tokens", "completion_tokens" = "completion_tokens" + excluded."completion_tokens", "total_tokens" = "total_tokens" + excluded."total_tokens", "local_prompt_tokens" = "local_prompt_tokens" + excluded."local_prompt_tokens", "local_completion_tokens" = "local_completion_tokens" + excluded."local_completion_tokens", "local_total_tokens" = "local_total_tokens" + excluded."local_total_tokens", "cached_tokens" = "cached_tokens" + excluded."cached_tokens", "reasoning_tokens" = "reasoning_tokens" + excluded."reasoning_tokens", "cost_nanos" = "cost_nanos" + excluded."cost_nanos", "execution_micros" = "execution_micros" + excluded."execution_micros";
END;
