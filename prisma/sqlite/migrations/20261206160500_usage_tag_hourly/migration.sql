-- Every statement can run again: a lost _prisma_migrations row re-applies it.
-- usage_tag_hourly: usage_hourly split by tag. A breakdown by a tag key over a month reads whole
-- hours here and only the ragged edges of its range from the entries (it read every tag row of the
-- range before). Hourly rather than daily: a range ending now leaves at most two partial hours to
-- read raw, where a daily grain leaves a whole day (a thirtieth of a month's rows).
CREATE TABLE IF NOT EXISTS "usage_tag_hourly" (
    "key" TEXT NOT NULL,
    "hour" DATETIME NOT NULL,
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

    PRIMARY KEY ("key", "hour", "value", "model")
);

-- Hand-written (Prisma schemas cannot express triggers). The sums follow the entries: a tag row adds
-- its entry when written (in the entry's transaction: single inserts and the batch writer write both
-- together), an entry deleted or changed (purge, reprice) takes its tags' sums along. Tag rows never
-- change or go away on their own (ON DELETE CASCADE follows the entry, which this trigger already
-- subtracted, before the delete, while its tag rows can still be read).
DELETE FROM "usage_tag_hourly";
INSERT INTO "usage_tag_hourly" ("key", "hour", "value", "model", "requests", "prompt_tokens", "completion_tokens", "total_tokens", "local_prompt_tokens", "local_completion_tokens", "local_total_tokens", "cached_tokens", "reasoning_tokens", "cost_nanos", "execution_micros")
SELECT t."key", substr(e."timestamp", 1, 13) || ':00:00.000+00:00', t."value", e."model", COUNT(*), SUM(e."prompt_tokens"), SUM(e."completion_tokens"), SUM(e."total_tokens"), SUM(e."local_prompt_tokens"), SUM(e."local_completion_tokens"), SUM(e."local_total_tokens"), SUM(e."cached_tokens"), SUM(e."reasoning_tokens"), SUM(e."cost_nanos"), SUM(CAST(round(e."execution_time" * 1000000) AS INTEGER))
FROM "usage_tags" AS t JOIN "accounting_entries" AS e ON e."id" = t."entry_id" GROUP BY 1, 2, 3, 4;

DROP TRIGGER IF EXISTS "usage_tags_tag_hourly_insert";
CREATE TRIGGER "usage_tags_tag_hourly_insert" AFTER INSERT ON "usage_tags" BEGIN
  INSERT INTO "usage_tag_hourly" ("key", "hour", "value", "model", "requests", "prompt_tokens", "completion_tokens", "total_tokens", "local_prompt_tokens", "local_completion_tokens", "local_total_tokens", "cached_tokens", "reasoning_tokens", "cost_nanos", "execution_micros")
  SELECT NEW."key", substr(e."timestamp", 1, 13) || ':00:00.000+00:00', NEW."value", e."model", 1, e."prompt_tokens", e."completion_tokens", e."total_tokens", e."local_prompt_tokens", e."local_completion_tokens", e."local_total_tokens", e."cached_tokens", e."reasoning_tokens", e."cost_nanos", CAST(round(e."execution_time" * 1000000) AS INTEGER) FROM "accounting_entries" AS e WHERE e."id" = NEW."entry_id"
  ON CONFLICT ("key", "hour", "value", "model") DO UPDATE SET "requests" = "requests" + excluded."requests", "prompt_tokens" = "prompt_tokens" + excluded."prompt_tokens", "completion_tokens" = "completion_tokens" + excluded."completion_tokens", "total_tokens" = "total_tokens" + excluded."total_tokens", "local_prompt_tokens" = "local_prompt_tokens" + excluded."local_prompt_tokens", "local_completion_tokens" = "local_completion_tokens" + excluded."local_completion_tokens", "local_total_tokens" = "local_total_tokens" + excluded."local_total_tokens", "cached_tokens" = "cached_tokens" + excluded."cached_tokens", "reasoning_tokens" = "reasoning_tokens" + excluded."reasoning_tokens", "cost_nanos" = "cost_nanos" + excluded."cost_nanos", "execution_micros" = "execution_micros" + excluded."execution_micros";
END;

DROP TRIGGER IF EXISTS "accounting_entries_tag_hourly_delete";
CREATE TRIGGER "accounting_entries_tag_hourly_delete" BEFORE DELETE ON "accounting_entries"
WHEN EXISTS (SELECT 1 FROM "usage_tags" WHERE "entry_id" = OLD."id")
BEGIN
  UPDATE "usage_tag_hourly" SET "requests" = "requests" - 1, "prompt_tokens" = "prompt_tokens" - OLD."prompt_tokens", "completion_tokens" = "completion_tokens" - OLD."completion_tokens", "total_tokens" = "total_tokens" - OLD."total_tokens", "local_prompt_tokens" = "local_prompt_tokens" - OLD."local_prompt_tokens", "local_completion_tokens" = "local_completion_tokens" - OLD."local_completion_tokens", "local_total_tokens" = "local_total_tokens" - OLD."local_total_tokens", "cached_tokens" = "cached_tokens" - OLD."cached_tokens", "reasoning_tokens" = "reasoning_tokens" - OLD."reasoning_tokens", "cost_nanos" = "cost_nanos" - OLD."cost_nanos", "execution_micros" = "execution_micros" - CAST(round(OLD."execution_time" * 1000000) AS INTEGER) WHERE "hour" = substr(OLD."timestamp", 1, 13) || ':00:00.000+00:00' AND "model" = OLD."model" AND ("key", "value") IN (SELECT "key", "value" FROM "usage_tags" WHERE "entry_id" = OLD."id");
  DELETE FROM "usage_tag_hourly" WHERE "hour" = substr(OLD."timestamp", 1, 13) || ':00:00.000+00:00' AND "model" = OLD."model" AND ("key", "value") IN (SELECT "key", "value" FROM "usage_tags" WHERE "entry_id" = OLD."id") AND "requests" <= 0;
END;

DROP TRIGGER IF EXISTS "accounting_entries_tag_hourly_update";
CREATE TRIGGER "accounting_entries_tag_hourly_update" AFTER UPDATE OF "timestamp", "model", "prompt_tokens", "completion_tokens", "total_tokens", "local_prompt_tokens", "local_completion_tokens", "local_total_tokens", "cached_tokens", "reasoning_tokens", "cost_nanos", "execution_time" ON "accounting_entries"
WHEN EXISTS (SELECT 1 FROM "usage_tags" WHERE "entry_id" = NEW."id")
BEGIN
  UPDATE "usage_tag_hourly" SET "requests" = "requests" - 1, "prompt_tokens" = "prompt_tokens" - OLD."prompt_tokens", "completion_tokens" = "completion_tokens" - OLD."completion_tokens", "total_tokens" = "total_tokens" - OLD."total_tokens", "local_prompt_tokens" = "local_prompt_tokens" - OLD."local_prompt_tokens", "local_completion_tokens" = "local_completion_tokens" - OLD."local_completion_tokens", "local_total_tokens" = "local_total_tokens" - OLD."local_total_tokens", "cached_tokens" = "cached_tokens" - OLD."cached_tokens", "reasoning_tokens" = "reasoning_tokens" - OLD."reasoning_tokens", "cost_nanos" = "cost_nanos" - OLD."cost_nanos", "execution_micros" = "execution_micros" - CAST(round(OLD."execution_time" * 1000000) AS INTEGER) WHERE "hour" = substr(OLD."timestamp", 1, 13) || ':00:00.000+00:00' AND "model" = OLD."model" AND ("key", "value") IN (SELECT "key", "value" FROM "usage_tags" WHERE "entry_id" = OLD."id");
  DELETE FROM "usage_tag_hourly" WHERE "hour" = substr(OLD."timestamp", 1, 13) || ':00:00.000+00:00' AND "model" = OLD."model" AND ("key", "value") IN (SELECT "key", "value" FROM "usage_tags" WHERE "entry_id" = OLD."id") AND "requests" <= 0;
  INSERT INTO "usage_tag_hourly" ("key", "hour", "value", "model", "requests", "prompt_tokens", "completion_tokens", "total_tokens", "local_prompt_tokens", "local_completion_tokens", "local_total_tokens", "cached_tokens", "reasoning_tokens", "cost_nanos", "execution_micros")
  SELECT t."key", substr(NEW."timestamp", 1, 13) || ':00:00.000+00:00', t."value", NEW."model", 1, NEW."prompt_tokens", NEW."completion_tokens", NEW."total_tokens", NEW."local_prompt_tokens", NEW."local_completion_tokens", NEW."local_total_tokens", NEW."cached_tokens", NEW."reasoning_tokens", NEW."cost_nanos", CAST(round(NEW."execution_time" * 1000000) AS INTEGER) FROM "usage_tags" AS t WHERE t."entry_id" = NEW."id"
  ON CONFLICT ("key", "hour", "value", "model") DO UPDATE SET "requests" = "requests" + excluded."requests", "prompt_tokens" = "prompt_tokens" + excluded."prompt_tokens", "completion_tokens" = "completion_tokens" + excluded."completion_tokens", "total_tokens" = "total_tokens" + excluded."total_tokens", "local_prompt_tokens" = "local_prompt_tokens" + excluded."local_prompt_tokens", "local_completion_tokens" = "local_completion_tokens" + excluded."local_completion_tokens", "local_total_tokens" = "local_total_tokens" + excluded."local_total_tokens", "cached_tokens" = "cached_tokens" + excluded."cached_tokens", "reasoning_tokens" = "reasoning_tokens" + excluded."reasoning_tokens", "cost_nanos" = "cost_nanos" + excluded."cost_nanos", "execution_micros" = "execution_micros" + excluded."execution_micros";
END;
