-- Every statement can run again: a lost _prisma_migrations row re-applies it.
-- Rollups of inserts per statement, not per row. The row triggers updated the same hour/model and
-- day/user/project/caller rows once per inserted row: a 1,000-row batch wrote up to 1,000 versions
-- of one rollup row, a million-row load left about as many dead versions behind, and every report
-- and metrics scrape stepped over them until autovacuum came. Now a statement adds its rows' sums
-- in one grouped upsert per table (in key order, so concurrent statements lock rows in the same
-- order). Updates and deletes keep their row triggers.
DROP TRIGGER IF EXISTS "accounting_entries_hourly" ON "accounting_entries";
CREATE TRIGGER "accounting_entries_hourly" AFTER DELETE OR UPDATE ON "accounting_entries" FOR EACH ROW EXECUTE FUNCTION usage_hourly_apply();
DROP TRIGGER IF EXISTS "accounting_entries_daily_dims" ON "accounting_entries";
CREATE TRIGGER "accounting_entries_daily_dims" AFTER DELETE OR UPDATE ON "accounting_entries" FOR EACH ROW EXECUTE FUNCTION usage_daily_dims_apply();

CREATE OR REPLACE FUNCTION usage_rollups_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "usage_hourly" AS h ("hour", "model", "requests", "prompt_tokens", "completion_tokens", "total_tokens", "local_prompt_tokens", "local_completion_tokens", "local_total_tokens", "cached_tokens", "reasoning_tokens", "cost_nanos", "execution_micros")
  SELECT (date_trunc('hour', r."timestamp" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'), r."model", COUNT(*), SUM(r."prompt_tokens"), SUM(r."completion_tokens"), SUM(r."total_tokens"), SUM(r."local_prompt_tokens"), SUM(r."local_completion_tokens"), SUM(r."local_total_tokens"), SUM(r."cached_tokens"), SUM(r."reasoning_tokens"), SUM(r."cost_nanos"), SUM(round(r."execution_time" * 1000000)::bigint)
  FROM "new_rows" AS r GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT ("hour", "model") DO UPDATE SET "requests" = h."requests" + EXCLUDED."requests", "prompt_tokens" = h."prompt_tokens" + EXCLUDED."prompt_tokens", "completion_tokens" = h."completion_tokens" + EXCLUDED."completion_tokens", "total_tokens" = h."total_tokens" + EXCLUDED."total_tokens", "local_prompt_tokens" = h."local_prompt_tokens" + EXCLUDED."local_prompt_tokens", "local_completion_tokens" = h."local_completion_tokens" + EXCLUDED."local_completion_tokens", "local_total_tokens" = h."local_total_tokens" + EXCLUDED."local_total_tokens", "cached_tokens" = h."cached_tokens" + EXCLUDED."cached_tokens", "reasoning_tokens" = h."reasoning_tokens" + EXCLUDED."reasoning_tokens", "cost_nanos" = h."cost_nanos" + EXCLUDED."cost_nanos", "execution_micros" = h."execution_micros" + EXCLUDED."execution_micros";
  INSERT INTO "usage_daily_dims" AS d ("day", "username", "username_null", "project", "project_null", "caller_name", "caller_name_null", "requests", "prompt_tokens", "completion_tokens", "total_tokens", "local_prompt_tokens", "local_completion_tokens", "local_total_tokens", "cached_tokens", "reasoning_tokens", "cost_nanos", "execution_micros")
  SELECT (date_trunc('day', r."timestamp" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'), COALESCE(r."username", ''), (r."username" IS NULL), COALESCE(r."project", ''), (r."project" IS NULL), COALESCE(r."caller_name", ''), (r."caller_name" IS NULL), COUNT(*), SUM(r."prompt_tokens"), SUM(r."completion_tokens"), SUM(r."total_tokens"), SUM(r."local_prompt_tokens"), SUM(r."local_completion_tokens"), SUM(r."local_total_tokens"), SUM(r."cached_tokens"), SUM(r."reasoning_tokens"), SUM(r."cost_nanos"), SUM(round(r."execution_time" * 1000000)::bigint)
  FROM "new_rows" AS r GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT ("day", "username", "username_null", "project", "project_null", "caller_name", "caller_name_null") DO UPDATE SET "requests" = d."requests" + EXCLUDED."requests", "prompt_tokens" = d."prompt_tokens" + EXCLUDED."prompt_tokens", "completion_tokens" = d."completion_tokens" + EXCLUDED."completion_tokens", "total_tokens" = d."total_tokens" + EXCLUDED."total_tokens", "local_prompt_tokens" = d."local_prompt_tokens" + EXCLUDED."local_prompt_tokens", "local_completion_tokens" = d."local_completion_tokens" + EXCLUDED."local_completion_tokens", "local_total_tokens" = d."local_total_tokens" + EXCLUDED."local_total_tokens", "cached_tokens" = d."cached_tokens" + EXCLUDED."cached_tokens", "reasoning_tokens" = d."reasoning_tokens" + EXCLUDED."reasoning_tokens", "cost_nanos" = d."cost_nanos" + EXCLUDED."cost_nanos", "execution_micros" = d."execution_micros" + EXCLUDED."execution_micros";
  RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS "accounting_entries_rollups_insert" ON "accounting_entries";
CREATE TRIGGER "accounting_entries_rollups_insert" AFTER INSERT ON "accounting_entries" REFERENCING NEW TABLE AS "new_rows" FOR EACH STATEMENT EXECUTE FUNCTION usage_rollups_insert();

-- Room on each page for updates in place (HOT), pruned as pages are read; autovacuum sooner.
ALTER TABLE "usage_hourly" SET (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.05);
ALTER TABLE "usage_daily_dims" SET (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.05);
