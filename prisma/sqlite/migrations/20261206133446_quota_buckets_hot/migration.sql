-- CreateTable
CREATE TABLE IF NOT EXISTS "quota_buckets_hot" (
    "filter_id" INTEGER NOT NULL,
    "span" INTEGER NOT NULL,
    "start" BIGINT NOT NULL,
    "requests" BIGINT NOT NULL DEFAULT 0,
    "input_tokens" BIGINT NOT NULL DEFAULT 0,
    "output_tokens" BIGINT NOT NULL DEFAULT 0,
    "total_tokens" BIGINT NOT NULL DEFAULT 0,
    "cost_nanos" BIGINT NOT NULL DEFAULT 0,

    PRIMARY KEY ("filter_id", "span", "start")
) WITHOUT ROWID; -- hand-edited: one B-tree, so a commit dirties fewer pages

-- Every statement can run again: a lost _prisma_migrations row re-applies it.
-- Hand-written: the bucket triggers now add to quota_buckets_hot. Each commit used to upsert one
-- quota_buckets row per matching filter and span, spread over as many pages as filters (the table
-- is keyed by filter first, which is what makes reads cheap), and SQLite writes every dirtied page
-- to the WAL at commit. The hot table holds only buckets still being written, on a few pages.
DROP TRIGGER IF EXISTS "quota_buckets_insert";
DROP TRIGGER IF EXISTS "quota_buckets_delete";
DROP TRIGGER IF EXISTS "quota_buckets_update";
CREATE TRIGGER "quota_buckets_insert" AFTER INSERT ON "accounting_entries"
WHEN NOT EXISTS (SELECT 1 FROM "store_counters" WHERE "key" = 'rollups_deferred')
BEGIN
  INSERT INTO "quota_buckets_hot" ("filter_id", "span", "start", "requests", "input_tokens", "output_tokens", "total_tokens", "cost_nanos")
  SELECT f."id", s."span", CAST(floor(unixepoch(NEW."timestamp") / CAST(s."span" AS REAL)) AS INTEGER) * s."span", 1, NEW."prompt_tokens", NEW."completion_tokens", NEW."total_tokens", NEW."cost_nanos"
  FROM "quota_filters" AS f, (SELECT 60 AS "span" UNION ALL SELECT 3600 UNION ALL SELECT 86400) AS s
  WHERE (f."model" IS NULL OR f."model" = NEW."model") AND (f."username" IS NULL OR f."username" = NEW."username") AND (f."caller_name" IS NULL OR f."caller_name" = NEW."caller_name") AND (f."project_mode" = 0 OR (f."project_mode" = 1 AND f."project" = NEW."project") OR (f."project_mode" = 2 AND NEW."project" IS NULL))
  ON CONFLICT ("filter_id", "span", "start") DO UPDATE SET "requests" = "requests" + excluded."requests", "input_tokens" = "input_tokens" + excluded."input_tokens", "output_tokens" = "output_tokens" + excluded."output_tokens", "total_tokens" = "total_tokens" + excluded."total_tokens", "cost_nanos" = "cost_nanos" + excluded."cost_nanos";
END;

CREATE TRIGGER "quota_buckets_delete" AFTER DELETE ON "accounting_entries"
BEGIN
  INSERT INTO "quota_buckets_hot" ("filter_id", "span", "start", "requests", "input_tokens", "output_tokens", "total_tokens", "cost_nanos")
  SELECT f."id", s."span", CAST(floor(unixepoch(OLD."timestamp") / CAST(s."span" AS REAL)) AS INTEGER) * s."span", -1, -OLD."prompt_tokens", -OLD."completion_tokens", -OLD."total_tokens", -OLD."cost_nanos"
  FROM "quota_filters" AS f, (SELECT 60 AS "span" UNION ALL SELECT 3600 UNION ALL SELECT 86400) AS s
  WHERE (f."model" IS NULL OR f."model" = OLD."model") AND (f."username" IS NULL OR f."username" = OLD."username") AND (f."caller_name" IS NULL OR f."caller_name" = OLD."caller_name") AND (f."project_mode" = 0 OR (f."project_mode" = 1 AND f."project" = OLD."project") OR (f."project_mode" = 2 AND OLD."project" IS NULL))
  ON CONFLICT ("filter_id", "span", "start") DO UPDATE SET "requests" = "requests" + excluded."requests", "input_tokens" = "input_tokens" + excluded."input_tokens", "output_tokens" = "output_tokens" + excluded."output_tokens", "total_tokens" = "total_tokens" + excluded."total_tokens", "cost_nanos" = "cost_nanos" + excluded."cost_nanos";
END;

CREATE TRIGGER "quota_buckets_update" AFTER UPDATE OF "timestamp", "model", "username", "caller_name", "project", "prompt_tokens", "completion_tokens", "total_tokens", "cost_nanos" ON "accounting_entries"
BEGIN
  INSERT INTO "quota_buckets_hot" ("filter_id", "span", "start", "requests", "input_tokens", "output_tokens", "total_tokens", "cost_nanos")
  SELECT f."id", s."span", CAST(floor(unixepoch(OLD."timestamp") / CAST(s."span" AS REAL)) AS INTEGER) * s."span", -1, -OLD."prompt_tokens", -OLD."completion_tokens", -OLD."total_tokens", -OLD."cost_nanos"
  FROM "quota_filters" AS f, (SELECT 60 AS "span" UNION ALL SELECT 3600 UNION ALL SELECT 86400) AS s
  WHERE (f."model" IS NULL OR f."model" = OLD."model") AND (f."username" IS NULL OR f."username" = OLD."username") AND (f."caller_name" IS NULL OR f."caller_name" = OLD."caller_name") AND (f."project_mode" = 0 OR (f."project_mode" = 1 AND f."project" = OLD."project") OR (f."project_mode" = 2 AND OLD."project" IS NULL))
  ON CONFLICT ("filter_id", "span", "start") DO UPDATE SET "requests" = "requests" + excluded."requests", "input_tokens" = "input_tokens" + excluded."input_tokens", "output_tokens" = "output_tokens" + excluded."output_tokens", "total_tokens" = "total_tokens" + excluded."total_tokens", "cost_nanos" = "cost_nanos" + excluded."cost_nanos";
  INSERT INTO "quota_buckets_hot" ("filter_id", "span", "start", "requests", "input_tokens", "output_tokens", "total_tokens", "cost_nanos")
  SELECT f."id", s."span", CAST(floor(unixepoch(NEW."timestamp") / CAST(s."span" AS REAL)) AS INTEGER) * s."span", 1, NEW."prompt_tokens", NEW."completion_tokens", NEW."total_tokens", NEW."cost_nanos"
  FROM "quota_filters" AS f, (SELECT 60 AS "span" UNION ALL SELECT 3600 UNION ALL SELECT 86400) AS s
  WHERE (f."model" IS NULL OR f."model" = NEW."model") AND (f."username" IS NULL OR f."username" = NEW."username") AND (f."caller_name" IS NULL OR f."caller_name" = NEW."caller_name") AND (f."project_mode" = 0 OR (f."project_mode" = 1 AND f."project" = NEW."project") OR (f."project_mode" = 2 AND NEW."project" IS NULL))
  ON CONFLICT ("filter_id", "span", "start") DO UPDATE SET "requests" = "requests" + excluded."requests", "input_tokens" = "input_tokens" + excluded."input_tokens", "output_tokens" = "output_tokens" + excluded."output_tokens", "total_tokens" = "total_tokens" + excluded."total_tokens", "cost_nanos" = "cost_nanos" + excluded."cost_nanos";
END;

-- Once a minute (by the clock of the writer), the first new hot bucket (a new minute begins a new
-- one) moves every hot bucket that has ended into quota_buckets, in that write's transaction. The
-- trigger is on the hot table, so a store without limits pays nothing per row. A back-dated row
-- lands in the hot table and moves with the next sweep; readers add both tables, so where a
-- bucket's sums are is never wrong.
INSERT OR IGNORE INTO "store_counters" ("key", "value") VALUES ('quota_hot_swept', 0);

DROP TRIGGER IF EXISTS "quota_buckets_hot_sweep";
CREATE TRIGGER "quota_buckets_hot_sweep" AFTER INSERT ON "quota_buckets_hot"
WHEN (SELECT "value" FROM "store_counters" WHERE "key" = 'quota_hot_swept') < CAST(unixepoch('now') / 60 AS INTEGER)
BEGIN
  INSERT INTO "quota_buckets" ("filter_id", "span", "start", "requests", "input_tokens", "output_tokens", "total_tokens", "cost_nanos")
  SELECT "filter_id", "span", "start", "requests", "input_tokens", "output_tokens", "total_tokens", "cost_nanos" FROM "quota_buckets_hot" WHERE "start" + "span" <= unixepoch('now')
  ON CONFLICT ("filter_id", "span", "start") DO UPDATE SET "requests" = "requests" + excluded."requests", "input_tokens" = "input_tokens" + excluded."input_tokens", "output_tokens" = "output_tokens" + excluded."output_tokens", "total_tokens" = "total_tokens" + excluded."total_tokens", "cost_nanos" = "cost_nanos" + excluded."cost_nanos";
  DELETE FROM "quota_buckets_hot" WHERE "start" + "span" <= unixepoch('now');
  UPDATE "store_counters" SET "value" = CAST(unixepoch('now') / 60 AS INTEGER) WHERE "key" = 'quota_hot_swept';
END;
