-- Every statement can run again: a lost _prisma_migrations row re-applies it.
-- usage_tag_hourly: usage_hourly split by tag (see the SQLite migration of the same name for why
-- hourly). Tag rows are added per statement from a transition table (an entry and its tags are
-- written by one statement, so the entry is there when the trigger runs); an entry deleted or
-- changed takes its tags' sums along, row by row like the other rollups' update and delete triggers.
CREATE TABLE IF NOT EXISTS "usage_tag_hourly" (
    "key" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "value" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "requests" BIGINT NOT NULL DEFAULT 0,
    "prompt_tokens" BIGINT NOT NULL DEFAULT 0,
    "completion_tokens" BIGINT NOT NULL DEFAULT 0,
    "total_tokens" BIGINT NOT NULL DEFAULT 0,
    "local_prompt_tokens" BIGINT NOT NULL DEFAULT 0,
    "local_completion_tokens" BIGINT NOT NULL DEFAULT 0,
    "local_total_tokens" BIGINT NOT NULL DEFAULT 0,
    "cached_tokens" BIGINT NOT NULL DEFAULT 0,
    "reasoning_tokens" BIGINT NOT NULL DEFAULT 0,
    "cost_nanos" BIGINT NOT NULL DEFAULT 0,
    "execution_micros" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "usage_tag_hourly_pkey" PRIMARY KEY ("key","hour","value","model")
);

ALTER TABLE "usage_tag_hourly" SET (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.05);

DELETE FROM "usage_tag_hourly";
INSERT INTO "usage_tag_hourly" ("key", "hour", "value", "model", "requests", "prompt_tokens", "completion_tokens", "total_tokens", "local_prompt_tokens", "local_completion_tokens", "local_total_tokens", "cached_tokens", "reasoning_tokens", "cost_nanos", "execution_micros")
SELECT t."key", (date_trunc('hour', e."timestamp" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'), t."value", e."model", COUNT(*), SUM(e."prompt_tokens"), SUM(e."completion_tokens"), SUM(e."total_tokens"), SUM(e."local_prompt_tokens"), SUM(e."local_completion_tokens"), SUM(e."local_total_tokens"), SUM(e."cached_tokens"), SUM(e."reasoning_tokens"), SUM(e."cost_nanos"), SUM(round(e."execution_time" * 1000000)::bigint)
FROM "usage_tags" AS t JOIN "accounting_entries" AS e ON e."id" = t."entry_id" GROUP BY 1, 2, 3, 4;

CREATE OR REPLACE FUNCTION usage_tag_hourly_tags_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "usage_tag_hourly" AS h ("key", "hour", "value", "model", "requests", "prompt_tokens", "completion_tokens", "total_tokens", "local_prompt_tokens", "local_completion_tokens", "local_total_tokens", "cached_tokens", "reasoning_tokens", "cost_nanos", "execution_micros")
  SELECT t."key", (date_trunc('hour', e."timestamp" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'), t."value", e."model", COUNT(*), SUM(e."prompt_tokens"), SUM(e."completion_tokens"), SUM(e."total_tokens"), SUM(e."local_prompt_tokens"), SUM(e."local_completion_tokens"), SUM(e."local_total_tokens"), SUM(e."cached_tokens"), SUM(e."reasoning_tokens"), SUM(e."cost_nanos"), SUM(round(e."execution_time" * 1000000)::bigint)
  FROM "new_tags" AS t JOIN "accounting_entries" AS e ON e."id" = t."entry_id" GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
  ON CONFLICT ("key", "hour", "value", "model") DO UPDATE SET "requests" = h."requests" + EXCLUDED."requests", "prompt_tokens" = h."prompt_tokens" + EXCLUDED."prompt_tokens", "completion_tokens" = h."completion_tokens" + EXCLUDED."completion_tokens", "total_tokens" = h."total_tokens" + EXCLUDED."total_tokens", "local_prompt_tokens" = h."local_prompt_tokens" + EXCLUDED."local_prompt_tokens", "local_completion_tokens" = h."local_completion_tokens" + EXCLUDED."local_completion_tokens", "local_total_tokens" = h."local_total_tokens" + EXCLUDED."local_total_tokens", "cached_tokens" = h."cached_tokens" + EXCLUDED."cached_tokens", "reasoning_tokens" = h."reasoning_tokens" + EXCLUDED."reasoning_tokens", "cost_nanos" = h."cost_nanos" + EXCLUDED."cost_nanos", "execution_micros" = h."execution_micros" + EXCLUDED."execution_micros";
  RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS "usage_tags_tag_hourly_insert" ON "usage_tags";
CREATE TRIGGER "usage_tags_tag_hourly_insert" AFTER INSERT ON "usage_tags" REFERENCING NEW TABLE AS "new_tags" FOR EACH STATEMENT EXECUTE FUNCTION usage_tag_hourly_tags_insert();

-- BEFORE DELETE: the entry's tag rows are still there (the cascade runs after the row is gone).
CREATE OR REPLACE FUNCTION usage_tag_hourly_entry_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "usage_tag_hourly" AS h SET "requests" = h."requests" - 1, "prompt_tokens" = h."prompt_tokens" - OLD."prompt_tokens", "completion_tokens" = h."completion_tokens" - OLD."completion_tokens", "total_tokens" = h."total_tokens" - OLD."total_tokens", "local_prompt_tokens" = h."local_prompt_tokens" - OLD."local_prompt_tokens", "local_completion_tokens" = h."local_completion_tokens" - OLD."local_completion_tokens", "local_total_tokens" = h."local_total_tokens" - OLD."local_total_tokens", "cached_tokens" = h."cached_tokens" - OLD."cached_tokens", "reasoning_tokens" = h."reasoning_tokens" - OLD."reasoning_tokens", "cost_nanos" = h."cost_nanos" - OLD."cost_nanos", "execution_micros" = h."execution_micros" - round(OLD."execution_time" * 1000000)::bigint FROM "usage_tags" AS t WHERE t."entry_id" = OLD."id" AND h."key" = t."key" AND h."value" = t."value" AND h."hour" = (date_trunc('hour', OLD."timestamp" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AND h."model" = OLD."model";
  DELETE FROM "usage_tag_hourly" AS h USING "usage_tags" AS t WHERE t."entry_id" = OLD."id" AND h."key" = t."key" AND h."value" = t."value" AND h."hour" = (date_trunc('hour', OLD."timestamp" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AND h."model" = OLD."model" AND h."requests" <= 0;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  INSERT INTO "usage_tag_hourly" AS h ("key", "hour", "value", "model", "requests", "prompt_tokens", "completion_tokens", "total_tokens", "local_prompt_tokens", "local_completion_tokens", "local_total_tokens", "cached_tokens", "reasoning_tokens", "cost_nanos", "execution_micros")
  SELECT t."key", (date_trunc('hour', NEW."timestamp" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'), t."value", NEW."model", 1, NEW."prompt_tokens", NEW."completion_tokens", NEW."total_tokens", NEW."local_prompt_tokens", NEW."local_completion_tokens", NEW."local_total_tokens", NEW."cached_tokens", NEW."reasoning_tokens", NEW."cost_nanos", round(NEW."execution_time" * 1000000)::bigint FROM "usage_tags" AS t WHERE t."entry_id" = NEW."id" ORDER BY 1, 3
  ON CONFLICT ("key", "hour", "value", "model") DO UPDATE SET "requests" = h."requests" + EXCLUDED."requests", "prompt_tokens" = h."prompt_tokens" + EXCLUDED."prompt_tokens", "completion_tokens" = h."completion_tokens" + EXCLUDED."completion_tokens", "total_tokens" = h."total_tokens" + EXCLUDED."total_tokens", "local_prompt_tokens" = h."local_prompt_tokens" + EXCLUDED."local_prompt_tokens", "local_completion_tokens" = h."local_completion_tokens" + EXCLUDED."local_completion_tokens", "local_total_tokens" = h."local_total_tokens" + EXCLUDED."local_total_tokens", "cached_tokens" = h."cached_tokens" + EXCLUDED."cached_tokens", "reasoning_tokens" = h."reasoning_tokens" + EXCLUDED."reasoning_tokens", "cost_nanos" = h."cost_nanos" + EXCLUDED."cost_nanos", "execution_micros" = h."execution_micros" + EXCLUDED."execution_micros";
  RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS "accounting_entries_tag_hourly_delete" ON "accounting_entries";
CREATE TRIGGER "accounting_entries_tag_hourly_delete" BEFORE DELETE ON "accounting_entries" FOR EACH ROW EXECUTE FUNCTION usage_tag_hourly_entry_change();
DROP TRIGGER IF EXISTS "accounting_entries_tag_hourly_update" ON "accounting_entries";
CREATE TRIGGER "accounting_entries_tag_hourly_update" AFTER UPDATE ON "accounting_entries" FOR EACH ROW
WHEN (OLD."timestamp" IS DISTINCT FROM NEW."timestamp" OR OLD."model" IS DISTINCT FROM NEW."model" OR OLD."prompt_tokens" IS DISTINCT FROM NEW."prompt_tokens" OR OLD."completion_tokens" IS DISTINCT FROM NEW."completion_tokens" OR OLD."total_tokens" IS DISTINCT FROM NEW."total_tokens" OR OLD."local_prompt_tokens" IS DISTINCT FROM NEW."local_prompt_tokens" OR OLD."local_completion_tokens" IS DISTINCT FROM NEW."local_completion_tokens" OR OLD."local_total_tokens" IS DISTINCT FROM NEW."local_total_tokens" OR OLD."cached_tokens" IS DISTINCT FROM NEW."cached_tokens" OR OLD."reasoning_tokens" IS DISTINCT FROM NEW."reasoning_tokens" OR OLD."cost_nanos" IS DISTINCT FROM NEW."cost_nanos" OR OLD."execution_time" IS DISTINCT FROM NEW."execution_time") EXECUTE FUNCTION usage_tag_hourly_entry_change();
